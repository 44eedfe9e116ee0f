"use client";
// The app's one error component: what happened and what to do in plain words, the server's own
// text beneath, and for a query a Retry button with the last data kept on screen and its age.
import { ApiClientError } from "@/components/api";
import { explainRegistryMessage, type Explained } from "@/components/registry-message";
import { retryText } from "@/components/rate-limit";
import { Time } from "@/components/time";

/** What ErrorMessage needs of a TanStack query (useQuery and useInfiniteQuery results both fit). */
export interface RetryableQuery {
  refetch: () => unknown;
  isFetching: boolean;
  dataUpdatedAt: number;
  data?: unknown;
}

/** An error as a message to people; `host` names the registry in connection errors. */
export function explainError(error: unknown, host?: string): Explained {
  const technical = error instanceof Error ? error.message : String(error ?? "");
  if (error instanceof ApiClientError) {
    if (error.status === 429) {
      const after = Number(error.details?.retryAfter);
      const wait = Number.isFinite(after) && after > 0 ? retryText(after) : "retry in a little while";
      return { summary: `Rate limited by the registry, ${wait}.`, hint: "Pages already loaded keep working from Regatta's cache.", technical };
    }
    if (error.status === 401) return { summary: "Your session has ended.", hint: "Sign in again; nothing was changed.", technical };
    if (error.status === 403) return { summary: "You are not allowed to do this.", hint: "Ask an admin for a role that may.", technical };
    if (error.status === 502 || error.status === 504 || error.code.startsWith("REGISTRY")) {
      const e = explainRegistryMessage(error.message, host);
      return { ...e, hint: e.hint ?? "The registry answered with an error; try again, or check the registry." };
    }
    if (error.status >= 500) return { summary: "Regatta's server failed to answer.", hint: "Try again; if it keeps failing, an admin finds the cause in the server's log.", technical };
    return { summary: error.message, technical };
  }
  // fetch() itself failed: the browser never got an answer
  if (error instanceof TypeError) return { summary: "Regatta's server could not be reached.", hint: "Check your connection, then try again.", technical };
  return { summary: technical || "Something went wrong.", technical };
}

export function ErrorMessage({ error, query, host }: { error: unknown; query?: RetryableQuery; host?: string }) {
  if (!error) return null;
  const e = explainError(error, host);
  const stale = query && query.data !== undefined && query.dataUpdatedAt > 0;
  return (
    <div role="alert" data-testid="error" className="space-y-1 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
      <p className="font-medium">{e.summary}{e.hint && <span className="font-normal"> {e.hint}</span>}</p>
      {e.technical && e.technical !== e.summary && <p className="break-words font-mono text-xs" data-testid="error-detail">{e.technical}</p>}
      {query && (
        <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs">
          <button type="button" className="btn-secondary py-0.5 text-xs" onClick={() => query.refetch()} disabled={query.isFetching} data-testid="error-retry">
            {query.isFetching ? "Retrying…" : "Retry"}
          </button>
          {stale && <span data-testid="stale-age">Showing data from <Time at={query.dataUpdatedAt} />.</span>}
        </p>
      )}
    </div>
  );
}

"use client";
import { useRegistryHealth } from "@/components/hooks/use-registry-health";
import { RateLimitBudget } from "@/components/rate-limit";
import { explainRegistryMessage } from "@/components/registry-message";

/** Health and known counts on an overview card; errors stay on this card. */
export function RegistryHealthLine({ registryId, host }: { registryId: string; host?: string }) {
  const h = useRegistryHealth(registryId);
  if (h.isPending) {
    // as tall as the two lines it becomes (status, counts): nothing below the cards moves when it comes
    return (
      <div className="mt-3 space-y-1 text-xs text-slate-500" data-testid="health" data-state="checking">
        <p className="flex items-center gap-2"><span className="h-2 w-2 motion-safe:animate-pulse rounded-full bg-slate-300" />checking…</p>
        <p aria-hidden>&nbsp;</p>
      </div>
    );
  }
  if (h.error && !h.data) {
    const e = explainRegistryMessage(h.error.message, host);
    return <p className="mt-3 text-xs text-red-700 dark:text-red-400" data-testid="health" data-state="error" role="alert" title={e.technical}>{e.summary}{e.hint ? ` ${e.hint}` : ""}</p>;
  }
  const d = h.data!;
  const limit = d.rateLimit;
  const limited = !!limit && (limit.remaining <= 0 || (!!limit.retryAt && Date.parse(limit.retryAt) > Date.now()));
  // a registry Regatta may not pull from is not "green", however fast its /v2/ answers
  const state = !d.reachable ? "down" : !d.authenticated ? "denied" : limited ? "limited" : "ok";
  const dot = state === "ok" ? "bg-emerald-500" : state === "denied" || state === "limited" ? "bg-amber-500" : "bg-red-500";
  const explained = d.message ? explainRegistryMessage(d.message, host) : undefined;
  return (
    <div className="mt-3 space-y-1 text-xs" data-testid="health" data-state={state}>
      <p className="flex items-center gap-2 text-slate-600">
        <span className={`h-2 w-2 rounded-full ${dot}`} />
        {{ ok: "reachable · authenticated", limited: "reachable · pull limit reached", denied: "reachable · not authenticated", down: "unreachable" }[state]}
        <span className="tabular-nums text-slate-500" data-testid="latency">{d.latencyMs} ms</span>
      </p>
      {explained && (
        <p className={state === "down" ? "text-red-700 dark:text-red-400" : "text-amber-800 dark:text-amber-300"} role="alert" title={explained.technical} data-testid="health-message">
          {explained.summary}{explained.hint && <span className="text-slate-600 dark:text-slate-500"> {explained.hint}</span>}
        </p>
      )}
      <p className="text-slate-500" data-testid="counts">
        {d.repositories} {d.repositories === 1 ? "repository" : "repositories"}
        {d.tags !== null ? ` · ${d.tags.toLocaleString("en")} ${d.tags === 1 ? "tag" : "tags"}` : ""} seen
      </p>
      {d.rateLimit && <RateLimitBudget budget={d.rateLimit} />}
    </div>
  );
}

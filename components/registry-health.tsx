"use client";
import { useRegistryHealth } from "@/components/hooks/use-registry-health";
import { RateLimitBudget } from "@/components/rate-limit";

/** Health and known counts on an overview card; errors stay on this card. */
export function RegistryHealthLine({ registryId }: { registryId: string }) {
  const h = useRegistryHealth(registryId);
  if (h.isPending) {
    return <p className="mt-3 flex items-center gap-2 text-xs text-slate-500" data-testid="health" data-state="checking"><span className="h-2 w-2 animate-pulse rounded-full bg-slate-300" />checking…</p>;
  }
  if (h.error) {
    return <p className="mt-3 text-xs text-red-700" data-testid="health" data-state="error" role="alert">⛔ {h.error.message}</p>;
  }
  const d = h.data;
  const state = !d.reachable ? "down" : !d.authenticated ? "denied" : "ok";
  const dot = state === "ok" ? "bg-emerald-500" : state === "denied" ? "bg-amber-500" : "bg-red-500";
  return (
    <div className="mt-3 space-y-1 text-xs" data-testid="health" data-state={state}>
      <p className="flex items-center gap-2 text-slate-600">
        <span className={`h-2 w-2 rounded-full ${dot}`} />
        {state === "ok" ? "reachable · authenticated" : state === "denied" ? "reachable · not authenticated" : "unreachable"}
        <span className="tabular-nums text-slate-500" data-testid="latency">{d.latencyMs} ms</span>
      </p>
      {d.message && <p className={state === "down" ? "text-red-700" : "text-amber-800"} role="alert">{d.message}</p>}
      <p className="text-slate-500" data-testid="counts">
        {d.repositories} {d.repositories === 1 ? "repository" : "repositories"}
        {d.tags !== null ? ` · ${d.tags.toLocaleString("en")} ${d.tags === 1 ? "tag" : "tags"}` : ""} seen
      </p>
      {d.rateLimit && <RateLimitBudget budget={d.rateLimit} />}
    </div>
  );
}

"use client";
// Docker Hub's pull budget on a registry's overview card, and the "when to retry" wording shared
// with the 429 message (components/error-message.tsx).
import type { RegistryHealth } from "@/lib/schemas/browse";

/** 1800 → "30 min", 90 → "2 min", 20 → "20 s", 7200 → "2 h". */
export function formatWait(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds - h * 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** "retry at 03:42 (in 30 min)": the clock time in the viewer's zone and the wait. */
export function retryText(retryAfterSeconds: number, now = Date.now()): string {
  const at = new Date(now + retryAfterSeconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return `retry at ${at} (in ${formatWait(retryAfterSeconds)})`;
}

function windowText(seconds?: number): string {
  if (!seconds) return "";
  return seconds % 3600 === 0 ? ` per ${seconds / 3600} h` : seconds % 60 === 0 ? ` per ${seconds / 60} min` : ` per ${seconds} s`;
}

/** "pulls left 87 / 100 per 6 h" with a bar; when spent, when to retry. */
export function RateLimitBudget({ budget }: { budget: NonNullable<RegistryHealth["rateLimit"]> }) {
  const { limit, remaining, windowSeconds, retryAt, scope } = budget;
  const wait = retryAt ? Math.max(0, (Date.parse(retryAt) - Date.now()) / 1000) : 0;
  const limited = remaining <= 0 || wait > 0;
  const share = limit > 0 ? Math.max(0, Math.min(1, remaining / limit)) : 0;
  const bar = limited ? "bg-red-500" : share < 0.2 ? "bg-amber-500" : "bg-emerald-500";
  return (
    <div data-testid="rate-limit" data-state={limited ? "limited" : "ok"} title={scope ? `Docker Hub pull limit, counted ${scope}` : "Docker Hub pull limit"}>
      <p className={limited ? "text-red-700" : "text-slate-600"}>
        pulls left <span className="tabular-nums font-medium">{remaining}</span> / <span className="tabular-nums">{limit}</span>{windowText(windowSeconds)}
        {limited && (wait > 0 ? ` · pull limit reached, ${retryText(wait)}` : " · pull limit reached")}
      </p>
      <div className="mt-1 h-1.5 w-full overflow-hidden rounded-full bg-slate-100" aria-hidden>
        <div className={`h-full ${bar}`} style={{ width: `${Math.round(share * 100)}%` }} />
      </div>
    </div>
  );
}

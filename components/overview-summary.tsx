"use client";
// The overview's summary strip: registries up and down, pushes today, promotions running.
import Link from "next/link";
import { useRegistriesHealth } from "@/components/hooks/use-registries-health";

function Stat({ value, label, tone, testId, href }: { value: React.ReactNode; label: string; tone?: string; testId: string; href?: string }) {
  const body = (
    <>
      <span className={`block text-xl font-semibold tabular-nums ${tone ?? ""}`}>{value}</span>
      <span className="text-xs text-slate-600">{label}</span>
    </>
  );
  return <li className="card px-3 py-2" data-testid={testId}>{href ? <Link href={href} className="block hover:underline">{body}</Link> : body}</li>;
}

export function OverviewSummary({ registryIds, pushesToday, promotionsToday, promotionsRunning }: { registryIds: string[]; pushesToday: number; promotionsToday: number; promotionsRunning: number }) {
  const health = useRegistriesHealth(registryIds);
  const known = health.filter((h) => h.data || h.error);
  const up = health.filter((h) => h.data?.reachable && h.data.authenticated).length;
  const down = known.length - up;
  return (
    <ul className="mb-4 grid grid-cols-2 gap-2 sm:grid-cols-4" aria-label="Summary" data-testid="overview-summary">
      <Stat testId="summary-up" value={known.length < registryIds.length ? `${up} / ${registryIds.length}` : up} label={known.length < registryIds.length ? "registries up (checking…)" : `registr${up === 1 ? "y" : "ies"} up`} tone="text-emerald-700" />
      <Stat testId="summary-down" value={down} label={`registr${down === 1 ? "y" : "ies"} down or refused`} tone={down ? "text-red-700" : "text-slate-500"} />
      <Stat testId="summary-pushes" value={pushesToday} label={`push${pushesToday === 1 ? "" : "es"} today (UTC)`} />
      <Stat testId="summary-promotions" value={promotionsRunning} label={`promotion${promotionsRunning === 1 ? "" : "s"} running · ${promotionsToday} today`} tone={promotionsRunning ? "text-sky-700" : undefined} href="/promotions" />
    </ul>
  );
}

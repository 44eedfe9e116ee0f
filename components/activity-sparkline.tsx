// One registry's pushes and promotions per day as small SVG bars (the overview's cards); the same
// drawing as the audit chart (components/audit-chart.tsx), without axes, a title per day on hover.
import type { DayActivity } from "@/components/audit-types";

const W = 280;
const H = 36;

export function ActivitySparkline({ days, label }: { days: DayActivity[]; label: string }) {
  const max = Math.max(1, ...days.map((d) => Math.max(d.pushes, d.promotions)));
  const slot = W / Math.max(1, days.length);
  const bar = Math.max(1, (slot - 2) / 2);
  const h = (v: number) => (v > 0 ? Math.max(2, (H - 2) * (v / max)) : 0);
  const totals = days.reduce((a, d) => ({ pushes: a.pushes + d.pushes, promotions: a.promotions + d.promotions }), { pushes: 0, promotions: 0 });
  return (
    <figure className="mt-2" data-testid="registry-activity">
      <svg viewBox={`0 0 ${W} ${H}`} className="h-9 w-full" preserveAspectRatio="none" role="img" aria-label={`${label}: ${totals.pushes} pushes and ${totals.promotions} promotions in the last ${days.length} days`}>
        <line x1={0} x2={W} y1={H - 0.5} y2={H - 0.5} className="stroke-slate-300" />
        {days.map((d, i) => {
          const x = i * slot + 1;
          return (
            <g key={d.day}>
              <title>{`${d.day}: ${d.pushes} pushes, ${d.promotions} promotions`}</title>
              <rect x={x} y={0} width={slot - 1} height={H} className="fill-transparent" />
              {d.pushes > 0 && <rect x={x} y={H - h(d.pushes)} width={bar} height={h(d.pushes)} className="fill-sky-600" />}
              {d.promotions > 0 && <rect x={x + bar} y={H - h(d.promotions)} width={bar} height={h(d.promotions)} className="fill-amber-500" />}
            </g>
          );
        })}
      </svg>
      <figcaption className="flex gap-3 text-[11px] text-slate-600">
        <span className="flex items-center gap-1"><span className="inline-block h-2 w-2 rounded-sm bg-sky-600" /> {totals.pushes} pushes</span>
        <span className="flex items-center gap-1"><span className="inline-block h-2 w-2 rounded-sm bg-amber-500" /> {totals.promotions} promotions</span>
        <span className="ml-auto">{days.length} days</span>
      </figcaption>
    </figure>
  );
}

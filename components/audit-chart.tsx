"use client";
// Pushes and promotions per day as plain SVG bars: two bars per day, a hover title for numbers.
// Scales with the width; labels every 7 days counted back from today.
import type { DayActivity } from "@/components/audit-types";

const W = 1200;
const H = 140;
const PAD = { top: 8, right: 8, bottom: 20, left: 28 };

export function AuditChart({ days }: { days: DayActivity[] }) {
  const max = Math.max(1, ...days.map((d) => Math.max(d.pushes, d.promotions)));
  const slot = (W - PAD.left - PAD.right) / Math.max(1, days.length);
  const bar = Math.max(1, (slot - 2) / 2);
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / max);
  const totals = days.reduce((a, d) => ({ pushes: a.pushes + d.pushes, promotions: a.promotions + d.promotions }), { pushes: 0, promotions: 0 });
  return (
    <figure className="card p-3" data-testid="audit-chart">
      <figcaption className="mb-1 flex items-center gap-4 text-xs text-slate-600">
        <span className="font-medium text-slate-800">Last 30 days</span>
        <span className="flex items-center gap-1"><span className="inline-block h-2.5 w-2.5 rounded-sm bg-sky-600" /> pushes ({totals.pushes})</span>
        <span className="flex items-center gap-1"><span className="inline-block h-2.5 w-2.5 rounded-sm bg-amber-500" /> promotions ({totals.promotions})</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} className="w-full" role="img" aria-label={`${totals.pushes} pushes and ${totals.promotions} promotions in the last 30 days`}>
        <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} className="stroke-slate-300" />
        <text x={PAD.left - 4} y={y(max) + 4} textAnchor="end" className="fill-slate-500 text-[10px]">{max}</text>
        <text x={PAD.left - 4} y={y(0)} textAnchor="end" className="fill-slate-500 text-[10px]">0</text>
        {days.map((d, i) => {
          const x = PAD.left + i * slot + 1;
          return (
            <g key={d.day}>
              <title>{`${d.day}: ${d.pushes} pushes, ${d.promotions} promotions`}</title>
              <rect x={x} y={y(0) - 20} width={slot - 1} height={20} className="fill-transparent" />
              {d.pushes > 0 && <rect x={x} y={y(d.pushes)} width={bar} height={y(0) - y(d.pushes)} className="fill-sky-600" />}
              {d.promotions > 0 && <rect x={x + bar} y={y(d.promotions)} width={bar} height={y(0) - y(d.promotions)} className="fill-amber-500" />}
              {(days.length - 1 - i) % 7 === 0 && (
                <text x={x + slot / 2} y={H - 6} textAnchor="middle" className="fill-slate-500 text-[10px]">{d.day.slice(5)}</text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

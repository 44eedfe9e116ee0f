// Sizes as horizontal bars (layers of an image, an image's size across its tags): the biggest
// stands out at a glance; each bar says its size in words too. Plain HTML, readable on a phone.
import Link from "next/link";
import { formatBytes } from "@/components/format";

export interface SizeBar { key: string; label: string; size: number | undefined; href?: string; title?: string }

// Links in lists (bars here, rows of activity and promotions) do not prefetch: every page is dynamic,
// so a prefetch is a server render of a page nobody opened, done again whenever Next's router tree
// changes. A cold 1,500-tag table's size chart alone made ~50 of them per visit.
export function SizeBars({ items, testId, caption }: { items: SizeBar[]; testId: string; caption: string }) {
  const max = Math.max(1, ...items.map((i) => i.size ?? 0));
  const total = items.reduce((s, i) => s + (i.size ?? 0), 0);
  return (
    <ul className="space-y-1 px-4 py-2" data-testid={testId} aria-label={caption}>
      {items.map((i) => {
        const pct = i.size ? Math.max(0.5, (100 * i.size) / max) : 0;
        const share = total > 0 && i.size ? Math.round((100 * i.size) / total) : 0;
        return (
          <li key={i.key} className="grid grid-cols-[minmax(0,9rem)_1fr_4.5rem] items-center gap-2 text-xs sm:grid-cols-[minmax(0,14rem)_1fr_5.5rem]" data-testid="size-bar" title={i.title}>
            {i.href ? <Link href={i.href} prefetch={false} className="truncate font-mono text-sky-800 hover:underline" title={i.label}>{i.label}</Link> : <span className="truncate font-mono" title={i.label}>{i.label}</span>}
            <span className="h-3 rounded-sm bg-slate-100" aria-hidden="true"><span className="block h-full rounded-sm bg-sky-600" style={{ width: `${pct}%` }} /></span>
            <span className="text-right tabular-nums text-slate-600">{i.size !== undefined ? formatBytes(i.size) : "–"}{share >= 1 && items.length > 1 ? <span className="sr-only">, {share}%</span> : null}</span>
          </li>
        );
      })}
    </ul>
  );
}

"use client";
// The promotions page: a dense table, filters (state, registry, who) kept in the URL, duration,
// links to both ends, progress bars while a copy runs.
import Link from "next/link";
import { ErrorMessage } from "@/components/error-message";
import { formatDuration, manifestHref, shortDigest } from "@/components/format";
import { useNow } from "@/components/hooks/use-now";
import { usePromotionMutations, usePromotions } from "@/components/hooks/use-promotions";
import { useRegistries } from "@/components/hooks/use-registries";
import { useUrlState } from "@/components/hooks/use-url-state";
import { PromotionProgress } from "@/components/promotion-progress";
import { Time } from "@/components/time";
import type { PromotionView } from "@/lib/schemas/promotion";

const STATES: PromotionView["state"][] = ["queued", "running", "succeeded", "failed"];

/** The tag the person chose (with its pinned digest short beside it), else the reference as given. */
function sourceLabel(registry: string, s: PromotionView["source"]): string {
  const digest = s.reference.startsWith("sha256:");
  if (s.tag) return `${registry}/${s.repository}:${s.tag}${digest ? ` @${shortDigest(s.reference)}` : ""}`;
  return `${registry}/${s.repository}${digest ? `@${s.reference.slice(0, 19)}` : `:${s.reference}`}`;
}

function Duration({ p }: { p: PromotionView }) {
  const now = useNow();
  if (p.finishedAt) return <>{formatDuration(Date.parse(p.finishedAt) - Date.parse(p.createdAt))}</>;
  return <span className="text-slate-500">{formatDuration(Math.max(0, now - Date.parse(p.createdAt)))} so far</span>;
}

export function PromotionsList({ canRetry }: { canRetry: boolean }) {
  const list = usePromotions();
  const { data: registries = [] } = useRegistries();
  const m = usePromotionMutations();
  const [f, setF] = useUrlState({ state: "", registry: "", who: "" });
  const name = (id: string) => registries.find((r) => r.id === id)?.name ?? id.slice(0, 8);
  const all = list.data ?? [];
  const who = f.who.trim().toLowerCase();
  const rows = all.filter(
    (p) => (!f.state || p.state === f.state) && (!f.registry || p.source.registryId === f.registry || p.target.registryId === f.registry) && (!who || p.requestedBy.toLowerCase().includes(who)),
  );
  const people = [...new Set(all.map((p) => p.requestedBy))].sort();
  const filtered = !!(f.state || f.registry || who);
  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold">Promotions</h1>
      <form className="card grid grid-cols-2 gap-3 p-3 sm:grid-cols-4" aria-label="Filters" onSubmit={(e) => e.preventDefault()} data-testid="promotion-filters">
        <label className="block">
          <span className="label">State</span>
          <select className="input" value={f.state} onChange={(e) => setF({ state: e.target.value })}>
            <option value="">any</option>
            {STATES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label className="block">
          <span className="label">Registry (source or target)</span>
          <select className="input" value={f.registry} onChange={(e) => setF({ registry: e.target.value })}>
            <option value="">any</option>
            {registries.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
          </select>
        </label>
        <label className="block">
          <span className="label">Who</span>
          <input className="input" list="promotion-people" placeholder="email or token" value={f.who} onChange={(e) => setF({ who: e.target.value })} />
          <datalist id="promotion-people">{people.map((p) => <option key={p} value={p} />)}</datalist>
        </label>
        <div className="flex items-end gap-3 text-sm text-slate-600">
          {filtered && <button type="button" className="btn-secondary py-1" onClick={() => setF({ state: "", registry: "", who: "" })}>Clear</button>}
          <span data-testid="promotion-count">{rows.length} of {all.length}</span>
        </div>
      </form>
      <ErrorMessage error={list.error} query={list} />
      <ErrorMessage error={m.retry.error} />
      <div className="card overflow-hidden" data-testid="promotions">
        {list.data?.length === 0 && <p className="px-4 py-6 text-center text-sm text-slate-500">No promotion yet. Open a tag and choose Promote.</p>}
        {list.data && list.data.length > 0 && rows.length === 0 && <p className="px-4 py-6 text-center text-sm text-slate-500">No promotion matches these filters.</p>}
        {rows.length > 0 && (
          <table className="w-full table-fixed text-left text-sm">
            <thead className="border-b border-slate-200 bg-slate-50 text-xs text-slate-600">
              <tr>
                <th scope="col" className="w-32 px-3 py-2 font-medium sm:w-56">State</th>
                <th scope="col" className="px-3 py-2 font-medium">From → to</th>
                <th scope="col" className="hidden w-40 px-3 py-2 font-medium lg:table-cell">Who</th>
                <th scope="col" className="hidden w-24 px-3 py-2 font-medium sm:table-cell">When</th>
                <th scope="col" className="hidden w-24 px-3 py-2 font-medium md:table-cell">Took</th>
                {canRetry && <th scope="col" className="w-16 px-3 py-2 font-medium sm:w-20"><span className="sr-only">Actions</span></th>}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((p) => (
                <tr key={p.id} className="align-top" data-testid="promotion-row" data-state={p.state}>
                  <td className="px-3 py-2"><PromotionProgress p={p} /></td>
                  <td className="px-3 py-2">
                    <span className="text-[11px] uppercase text-slate-500">{p.kind}</span>
                    <Link prefetch={false} className="block break-all font-mono text-xs text-sky-800 hover:underline" data-testid="promotion-source" title={p.source.reference} href={manifestHref(p.source.registryId, p.source.repository, p.source.tag ?? p.source.reference)}>
                      {sourceLabel(name(p.source.registryId), p.source)}
                    </Link>
                    <Link prefetch={false} className="block break-all font-mono text-xs text-sky-800 hover:underline" data-testid="promotion-target" href={manifestHref(p.target.registryId, p.target.repository, p.target.tag)}>
                      → {name(p.target.registryId)}/{p.target.repository}:{p.target.tag}
                    </Link>
                    <span className="mt-0.5 block text-xs text-slate-500 lg:hidden">{p.requestedBy}<span className="sm:hidden"> · <Time at={p.createdAt} /></span></span>
                  </td>
                  <td className="hidden truncate px-3 py-2 text-xs lg:table-cell" title={p.requestedBy}>{p.requestedBy}</td>
                  <td className="hidden px-3 py-2 text-xs text-slate-600 sm:table-cell"><Time at={p.createdAt} /></td>
                  <td className="hidden px-3 py-2 text-xs tabular-nums md:table-cell" data-testid="promotion-duration"><Duration p={p} /></td>
                  {canRetry && <td className="px-3 py-2">{p.state === "failed" && <button className="btn-secondary px-2 py-1" onClick={() => m.retry.mutate(p.id)}>Retry</button>}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}

"use client";
// A registry's repositories: tag count, last push and largest image (what the registry's listing
// and Regatta's index know), sortable; filter and sort kept in the URL.
import Link from "next/link";
import { useDeferredValue, useMemo } from "react";
import { ErrorMessage } from "@/components/error-message";
import { formatBytes } from "@/components/format";
import { useRepositories, type RepositoryRow } from "@/components/hooks/use-browse";
import { useUrlState } from "@/components/hooks/use-url-state";
import { Time } from "@/components/time";

type Key = "name" | "tags" | "pushed" | "size";
const pushedOf = (r: RepositoryRow) => r.lastPushedAt ?? r.lastChangedAt;
const VALUE: Record<Key, (r: RepositoryRow) => number | string | undefined> = {
  name: (r) => r.name,
  tags: (r) => r.tagCount ?? undefined,
  pushed: (r) => { const t = pushedOf(r); return t ? Date.parse(t) : undefined; },
  size: (r) => r.largestSize,
};
const COLUMNS: { key: Key; label: string; className: string }[] = [
  { key: "name", label: "Repository", className: "" },
  { key: "tags", label: "Tags", className: "w-20 text-right" },
  { key: "pushed", label: "Last push", className: "w-28 sm:w-36" },
  { key: "size", label: "Largest image", className: "hidden w-32 text-right sm:table-cell" },
];

function sortRows(rows: RepositoryRow[], key: Key, desc: boolean): RepositoryRow[] {
  const get = VALUE[key];
  return [...rows].sort((a, b) => {
    const x = get(a);
    const y = get(b);
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1; // unknown last
    const c = typeof x === "string" ? x.localeCompare(String(y), "en", { numeric: true }) : x - (y as number);
    return desc ? -c : c;
  });
}

export function RepositoryList({ registryId }: { registryId: string }) {
  const [view, setView] = useUrlState({ q: "", sort: "name" });
  const q = useDeferredValue(view.q);
  const repos = useRepositories(registryId, q);
  const key = (view.sort.replace(/^-/, "") in VALUE ? view.sort.replace(/^-/, "") : "name") as Key;
  const desc = view.sort.startsWith("-");
  const loaded = useMemo(() => repos.data?.pages.flatMap((p) => p.repositories) ?? [], [repos.data]);
  const rows = useMemo(() => sortRows(loaded, key, desc), [loaded, key, desc]);
  const toggle = (k: Key) => setView({ sort: k === key ? (desc ? k : `-${k}`) : k === "name" ? k : `-${k}` });
  return (
    <div className="space-y-3">
      <input className="input max-w-sm" placeholder="Filter repositories" value={view.q} onChange={(e) => setView({ q: e.target.value })} aria-label="Filter repositories" />
      <ErrorMessage error={repos.error} query={repos} />
      <div className={repos.error && !rows.length ? "hidden" : "card overflow-hidden"} data-testid="repositories">
        {repos.isPending && <p className="px-4 py-3 text-sm text-slate-500">Loading repositories…</p>}
        {!repos.isPending && !repos.error && rows.length === 0 && <p className="px-4 py-3 text-sm text-slate-500">No repository{q ? ` matches “${q}”` : ""}.</p>}
        {rows.length > 0 && (
          <table className="w-full table-fixed text-sm">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-600">
              <tr>
                {COLUMNS.map((c) => (
                  <th key={c.key} scope="col" className={`px-4 py-2 font-medium ${c.className}`} aria-sort={key === c.key ? (desc ? "descending" : "ascending") : undefined}>
                    <button type="button" className="hover:text-slate-900" onClick={() => toggle(c.key)} data-testid={`repo-sort-${c.key}`}>
                      {c.label}{key === c.key ? (desc ? " ▼" : " ▲") : ""}
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((r) => {
                const pushed = pushedOf(r);
                return (
                  <tr key={r.name} className="hover:bg-slate-50" data-testid="repository-row">
                    <td className="px-4 py-2">
                      <Link href={`/registries/${registryId}/tags?repository=${encodeURIComponent(r.name)}`} className="block truncate font-mono text-sky-800 hover:underline" title={r.name}>{r.name}</Link>
                    </td>
                    <td className="px-4 py-2 text-right text-xs tabular-nums text-slate-600" data-testid="repo-tag-count">{r.tagCount !== undefined && r.tagCount !== null ? r.tagCount.toLocaleString("en") : "–"}</td>
                    <td className="px-4 py-2 text-xs text-slate-600">
                      {pushed ? (r.lastPushedAt ? <Time at={pushed} /> : <span className="italic" title="first seen by Regatta; the registry did not say when it was pushed">seen <Time at={pushed} /></span>) : "–"}
                    </td>
                    <td className="hidden px-4 py-2 text-right text-xs tabular-nums text-slate-600 sm:table-cell">{r.largestSize !== undefined ? formatBytes(r.largestSize) : "–"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
      {repos.hasNextPage && (
        <button className="btn-secondary" onClick={() => repos.fetchNextPage()} disabled={repos.isFetchingNextPage}>
          {repos.isFetchingNextPage ? "Loading…" : "More repositories"}
        </button>
      )}
    </div>
  );
}

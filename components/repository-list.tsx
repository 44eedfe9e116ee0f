"use client";
import Link from "next/link";
import { useDeferredValue, useState } from "react";
import { ErrorMessage } from "@/components/error-message";
import { useRepositories } from "@/components/hooks/use-browse";

export function RepositoryList({ registryId }: { registryId: string }) {
  const [query, setQuery] = useState("");
  const q = useDeferredValue(query);
  const repos = useRepositories(registryId, q);
  const rows = repos.data?.pages.flatMap((p) => p.repositories) ?? [];
  return (
    <div className="space-y-3">
      <input className="input max-w-sm" placeholder="Filter repositories" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Filter repositories" />
      <ErrorMessage error={repos.error} query={repos} />
      <div className={repos.error && !rows.length ? "hidden" : "card divide-y divide-slate-100"} data-testid="repositories">
        {repos.isPending && <p className="px-4 py-3 text-sm text-slate-500">Loading repositories…</p>}
        {!repos.isPending && !repos.error && rows.length === 0 && <p className="px-4 py-3 text-sm text-slate-500">No repository{q ? ` matches “${q}”` : ""}.</p>}
        {rows.map((r) => (
          <Link key={r.name} href={`/registries/${registryId}/tags?repository=${encodeURIComponent(r.name)}`} className="flex items-baseline justify-between px-4 py-2 text-sm hover:bg-slate-50">
            <span className="font-mono">{r.name}</span>
            {r.tagCount !== undefined && r.tagCount !== null && <span className="text-xs text-slate-500" data-testid="repo-tag-count">{r.tagCount.toLocaleString("en")} tags</span>}
          </Link>
        ))}
      </div>
      {repos.hasNextPage && (
        <button className="btn-secondary" onClick={() => repos.fetchNextPage()} disabled={repos.isFetchingNextPage}>
          {repos.isFetchingNextPage ? "Loading…" : "More repositories"}
        </button>
      )}
    </div>
  );
}

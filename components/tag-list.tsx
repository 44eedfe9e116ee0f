"use client";
import Link from "next/link";
import { useDeferredValue, useMemo, useState } from "react";
import { CopyButton } from "@/components/copy-button";
import { ErrorBanner } from "@/components/field-error";
import { useTags } from "@/components/hooks/use-tags";

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
}

export function TagList({ registryId, repository, pullBase }: { registryId: string; repository: string; pullBase: string }) {
  const tags = useTags(registryId, repository);
  const [filter, setFilter] = useState("");
  const f = useDeferredValue(filter.trim());
  const rows = useMemo(() => {
    const all = tags.data?.tags ?? [];
    if (!f) return all;
    const match = /[*?]/.test(f) ? globToRegExp(f) : null;
    return all.filter((t) => (match ? match.test(t.name) : t.name.toLowerCase().includes(f.toLowerCase())));
  }, [tags.data, f]);
  return (
    <div className="space-y-3">
      <div className="flex items-center gap-3">
        <input className="input max-w-sm" placeholder="Filter tags (text or glob, e.g. 1.4.*)" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter tags" />
        {tags.data && <span className="text-sm text-slate-500" data-testid="tag-count">{rows.length} of {tags.data.tags.length} tags</span>}
      </div>
      <ErrorBanner error={tags.error} />
      <div className="card max-h-[70vh] overflow-auto" data-testid="tags">
        {tags.isPending && <p className="px-4 py-3 text-sm text-slate-500">Loading tags…</p>}
        <table className="w-full text-left text-sm">
          <tbody className="divide-y divide-slate-100">
            {rows.map((t) => (
              <tr key={t.name} className="hover:bg-slate-50">
                <td className="px-4 py-1.5 font-mono">
                  <Link className="text-sky-800 hover:underline" href={`/registries/${registryId}/manifest?repository=${encodeURIComponent(repository)}&reference=${encodeURIComponent(t.name)}`}>{t.name}</Link>
                </td>
                <td className="px-4 py-1.5 text-right"><CopyButton text={`${pullBase}:${t.name}`} label="Copy pull" /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

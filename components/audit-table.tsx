"use client";
// The event table: dense, newest first. Actor, repository and digest cells filter by their value.
import type { AuditEventRow, AuditFilters } from "@/components/audit-types";
import { shortDigest } from "@/components/format";
import { Time } from "@/components/time";

const OUTCOME: Record<string, string> = { success: "text-emerald-700", failure: "text-red-700", denied: "text-amber-700" };
const KIND: Record<string, string> = { USER: "user", REGISTRY: "registry", SYSTEM: "system" };

function detailText(d: unknown): string {
  if (!d || typeof d !== "object") return "";
  return Object.entries(d as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" · ");
}

export function AuditTable({ rows, registryName, onFilter }: {
  rows: AuditEventRow[];
  registryName: (id: string) => string;
  onFilter: (k: keyof AuditFilters, v: string) => void;
}) {
  const link = (k: keyof AuditFilters, v: string, text: React.ReactNode, title?: string) => (
    <button type="button" className="text-left hover:text-sky-700 hover:underline" title={title ?? `show only ${v}`} onClick={() => onFilter(k, v)}>{text}</button>
  );
  return (
    <div className="card overflow-x-auto">
      <table className="w-full text-left text-xs" data-testid="audit-table">
        <thead className="bg-slate-50 uppercase tracking-wide text-slate-500">
          <tr>
            <th className="px-2 py-1.5">Time (UTC)</th><th className="px-2 py-1.5">Actor</th><th className="px-2 py-1.5">Action</th>
            <th className="px-2 py-1.5">Registry</th><th className="px-2 py-1.5">Repository : tag</th><th className="px-2 py-1.5">Digest</th>
            <th className="px-2 py-1.5">Previous</th><th className="px-2 py-1.5">Outcome</th><th className="px-2 py-1.5">Details</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.length === 0 && <tr><td colSpan={9} className="px-2 py-6 text-center text-sm text-slate-500">No event matches these filters.</td></tr>}
          {rows.map((e) => {
            const details = detailText(e.details);
            return (
              <tr key={e.id} data-testid="audit-row" className="align-top hover:bg-slate-50">
                <td className="whitespace-nowrap px-2 py-1 font-mono text-slate-600" title={`event ${e.id}`}><Time at={e.at} /></td>
                <td className="px-2 py-1">
                  <span className="mr-1 rounded bg-slate-100 px-1 text-[10px] text-slate-700">{KIND[e.actorKind]}</span>
                  {link("actor", e.actor, e.actor)}
                </td>
                <td className="whitespace-nowrap px-2 py-1 font-medium">{link("action", e.action, e.action)}</td>
                <td className="whitespace-nowrap px-2 py-1 text-slate-600">{e.registryId ? link("registryId", e.registryId, registryName(e.registryId)) : "–"}</td>
                <td className="whitespace-nowrap px-2 py-1 font-mono">
                  {e.repository ? link("repository", e.repository, e.repository) : "–"}
                  {e.tag && <span className="text-slate-500">:{e.tag}</span>}
                </td>
                <td className="px-2 py-1 font-mono" data-digest={e.digest ?? ""}>{e.digest ? link("digest", e.digest, shortDigest(e.digest), e.digest) : "–"}</td>
                <td className="px-2 py-1 font-mono text-slate-500">{e.previousDigest ? link("digest", e.previousDigest, shortDigest(e.previousDigest), e.previousDigest) : "–"}</td>
                <td className={`px-2 py-1 font-medium ${OUTCOME[e.outcome] ?? ""}`}>{e.outcome}</td>
                <td className="max-w-xs truncate px-2 py-1 text-slate-500" title={[details, e.sourceAddress ? `from ${e.sourceAddress}` : ""].filter(Boolean).join("\n")}>
                  {e.sourceAddress && <span className="mr-1 font-mono">{e.sourceAddress}</span>}{details}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

"use client";
// The audit page: filters (kept in the URL), chain status, 30-day chart, the event table and exports.
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { AuditChart } from "@/components/audit-chart";
import { AuditTable } from "@/components/audit-table";
import { FILTER_KEYS, untilInclusive, type AuditEventRow, type AuditFilters, type DayActivity } from "@/components/audit-types";
import { ErrorMessage } from "@/components/error-message";
import { auditQueryString, useAuditEvents } from "@/components/hooks/use-audit";
import { useAuditActivity } from "@/components/hooks/use-audit-activity";
import { useAuditVerify, type ChainStatus } from "@/components/hooks/use-audit-verify";

export interface AuditLogProps {
  filters: AuditFilters;
  initial?: { events: AuditEventRow[]; nextCursor?: string };
  activity: DayActivity[];
  registries: { id: string; name: string }[];
  actions: string[];
}

export function AuditLog({ filters, initial, activity, registries, actions }: AuditLogProps) {
  const router = useRouter();
  const pathname = usePathname();
  const [applied, setApplied] = useState<AuditFilters>(filters);
  const [draft, setDraft] = useState<AuditFilters>(filters);
  const query = untilInclusive(applied);
  const events = useAuditEvents(query, JSON.stringify(applied) === JSON.stringify(filters) ? initial : undefined);
  const chart = useAuditActivity(activity);
  const chain = useAuditVerify();
  const names = new Map(registries.map((r) => [r.id, r.name]));
  const rows = events.data?.pages.flatMap((p) => p.events) ?? [];

  function apply(next: AuditFilters) {
    const clean = Object.fromEntries(FILTER_KEYS.flatMap((k) => (next[k]?.trim() ? [[k, next[k]!.trim()]] : []))) as AuditFilters;
    setDraft(clean);
    setApplied(clean);
    const qs = auditQueryString(clean);
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  }
  const field = (k: keyof AuditFilters) => ({
    value: draft[k] ?? "",
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value }),
  });
  const filterBy = (k: keyof AuditFilters, v: string) => apply({ ...applied, [k]: v });

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-lg font-semibold">Audit log</h1>
        <div className="flex items-center gap-3 text-sm">
          <ChainBadge status={chain.data} loading={chain.isLoading} error={chain.error} />
          <a className="btn-secondary py-1" href={`/api/v1/audit?${auditQueryString(query, { format: "csv" })}`} download data-testid="export-csv">Export CSV</a>
          <a className="btn-secondary py-1" href={`/api/v1/audit?${auditQueryString(query, { format: "json" })}`} download data-testid="export-json">Export JSON</a>
        </div>
      </div>

      {chart.data && <AuditChart days={chart.data} />}

      <form
        className="card grid grid-cols-2 gap-3 p-3 md:grid-cols-4 lg:grid-cols-8"
        onSubmit={(e) => { e.preventDefault(); apply(draft); }}
        aria-label="Filters"
      >
        <label className="block"><span className="label">From (UTC)</span><input className="input" type="date" {...field("since")} /></label>
        <label className="block"><span className="label">To (UTC, inclusive)</span><input className="input" type="date" {...field("until")} /></label>
        <label className="block"><span className="label">Actor</span><input className="input" placeholder="email or registry user" {...field("actor")} /></label>
        <label className="block">
          <span className="label">Action</span>
          <select className="input" {...field("action")}>
            <option value="">any</option>
            <option value="registry.*">registry.* (pushes, deletes …)</option>
            {actions.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </label>
        <label className="block">
          <span className="label">Registry</span>
          <select className="input" {...field("registryId")}>
            <option value="">any</option>
            {registries.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
          </select>
        </label>
        <label className="block"><span className="label">Repository</span><input className="input font-mono" placeholder="team/app" {...field("repository")} /></label>
        <label className="block"><span className="label">Tag</span><input className="input font-mono" placeholder="1.0" {...field("tag")} /></label>
        <label className="block"><span className="label">Digest</span><input className="input font-mono" placeholder="sha256:…" {...field("digest")} /></label>
        <div className="col-span-full flex gap-2">
          <button className="btn-primary py-1" type="submit">Apply filters</button>
          <button className="btn-secondary py-1" type="button" onClick={() => apply({})}>Clear</button>
        </div>
      </form>

      <ErrorMessage error={events.error} query={events} />
      <AuditTable rows={rows} registryName={(id) => names.get(id) ?? id.slice(0, 8)} onFilter={filterBy} />
      <div className="flex items-center justify-between text-sm text-slate-600">
        <span data-testid="audit-count">{rows.length} event{rows.length === 1 ? "" : "s"} shown{events.hasNextPage ? ", more available" : ""}</span>
        {events.hasNextPage && (
          <button className="btn-secondary py-1" onClick={() => events.fetchNextPage()} disabled={events.isFetchingNextPage}>
            {events.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        )}
      </div>
    </div>
  );
}

function ChainBadge({ status, loading, error }: { status?: ChainStatus; loading: boolean; error: unknown }) {
  if (loading) return <span className="text-slate-500" data-testid="chain-status">Checking the hash chain…</span>;
  if (error || !status) return <span className="text-red-700" data-testid="chain-status">Chain check failed</span>;
  const keys = status.legacy ? `${(status.keyed ?? 0).toLocaleString("en")} keyed, ${status.legacy.toLocaleString("en")} from before keyed hashes` : "every hash keyed";
  if (status.firstBroken) {
    return (
      <span className="rounded bg-red-50 px-2 py-1 text-red-800" data-testid="chain-status" title={status.firstBroken.reason}>
        ✗ Chain broken at event {status.firstBroken.id} ({status.checked.toLocaleString("en")} intact before it): {status.firstBroken.reason}
      </span>
    );
  }
  if (!status.intact) {
    return (
      <span className="rounded bg-red-50 px-2 py-1 text-red-800" data-testid="chain-status" title={status.checkpoint?.message}>
        ✗ Chain links up ({status.checked.toLocaleString("en")} events) but {status.checkpoint?.message}
      </span>
    );
  }
  return (
    <span className="rounded bg-emerald-50 px-2 py-1 text-emerald-800" data-testid="chain-status" title={`every event's hash recomputed and linked to the one before (${keys}); checkpoint: ${status.checkpoint?.message ?? "none"}`}>
      ✓ Chain intact: {status.checked.toLocaleString("en")} events{status.checkpoint?.state === "reached" ? ", up to the signed checkpoint" : ""}
    </span>
  );
}

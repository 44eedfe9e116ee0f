"use client";
// Retention policies: list, add, remove; Preview (what goes, what stays, why, bytes freed) and
// Run with progress and the run's report. The server decides everything; this page only shows it.
import { Time } from "@/components/time";
import { useState } from "react";
import { ErrorMessage } from "@/components/error-message";
import { formatBytes, shortDigest } from "@/components/format";
import { useRegistries } from "@/components/hooks/use-registries";
import { useRetentionPolicies, useRetentionPolicy, useRetentionRuns } from "@/components/hooks/use-retention";
import type { RetentionPolicyView, RetentionPreview } from "@/lib/schemas/retention";

function rulesText(p: RetentionPolicyView): string {
  const r = p.rules;
  const parts: string[] = [];
  if (r.keepLast) parts.push(`last ${r.keepLast.count} versions${r.keepLast.per && r.keepLast.per !== "all" ? ` per ${r.keepLast.per} line` : ""}`);
  if (r.keepDays) parts.push(`pushed in the last ${r.keepDays} days`);
  if (r.keepTags?.length) parts.push(`tags ${r.keepTags.join(", ")}`);
  return `keep ${parts.join("; ")}${p.schedule ? ` · runs on schedule ${p.schedule} (UTC)` : ""}`;
}

function Runs({ policyId }: { policyId: string }) {
  const { runs, stop } = useRetentionRuns(policyId);
  if (!runs.data?.length) return null;
  return (
    <ul className="space-y-1 text-xs" data-testid="runs">
      {runs.data.slice(0, 5).map((r) => (
        <li key={r.id} className="flex flex-wrap items-center gap-2">
          <span className={`rounded px-1.5 py-0.5 font-medium ${r.state === "succeeded" ? "bg-green-50 text-green-700" : r.state === "failed" ? "bg-red-50 text-red-700" : "bg-slate-100 text-slate-700"}`}>{r.state}</span>
          <span><Time at={r.createdAt} /> by {r.requestedBy}</span>
          <span data-testid="run-progress">{r.deleted}/{r.total} deleted{r.failed ? `, ${r.failed} failed` : ""}{r.bytes ? `, ${formatBytes(r.bytes)} freed` : ""}</span>
          {r.total > 0 && r.state === "running" && <progress className="h-2 w-32" max={r.total} value={r.deleted} />}
          {r.state === "running" && <button className="btn-secondary py-0.5 text-xs" onClick={() => stop.mutate(r.id)}>Stop</button>}
          {r.error && <span className="text-red-700">{r.error}</span>}
          {r.report?.failures.length ? <span className="text-red-700">{r.report.failures.slice(0, 3).map((f) => `${f.tag}: ${f.error}`).join("; ")}</span> : null}
        </li>
      ))}
    </ul>
  );
}

function PreviewTable({ preview }: { preview: RetentionPreview }) {
  const rows = [...preview.delete.map((d) => ({ ...d, action: "delete" as const })), ...preview.keep.map((k) => ({ ...k, action: "keep" as const }))];
  return (
    <div className="space-y-2" data-testid="preview">
      <p className="text-sm">
        <strong>{preview.delete.length}</strong> tags would be deleted, <strong>{preview.keep.length}</strong> kept; <strong>{formatBytes(preview.bytes)}</strong> of blobs would no longer be used by any kept manifest.
      </p>
      <div className="max-h-96 overflow-auto rounded border border-slate-200">
        <table className="w-full text-left text-xs">
          <thead className="sticky top-0 bg-slate-50"><tr><th className="px-2 py-1">Action</th><th className="px-2 py-1">Tag</th><th className="hidden px-2 py-1 sm:table-cell">Digest</th><th className="px-2 py-1">Why</th></tr></thead>
          <tbody className="divide-y divide-slate-100">
            {rows.slice(0, 1000).map((r) => (
              <tr key={`${r.repository}:${r.tag}`}>
                <td className={`px-2 py-1 font-medium ${r.action === "delete" ? "text-red-700" : "text-green-700"}`}>{r.action}</td>
                <td className="px-2 py-1 font-mono">{r.repository}:{r.tag}</td>
                <td className="hidden px-2 py-1 font-mono text-slate-500 sm:table-cell">{shortDigest(r.digest)}</td>
                <td className="px-2 py-1 text-slate-600">{r.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function PolicyCard({ policy, registryName }: { policy: RetentionPolicyView; registryName: string }) {
  const [shown, setShown] = useState(false);
  // a run re-evaluates the policy: the preview on screen is then out of date, so it goes
  const { preview, run, remove } = useRetentionPolicy(policy.id, { previewed: () => setShown(true), started: () => setShown(false) });
  return (
    <div className="space-y-2 px-4 py-3" data-testid="policy">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="font-medium">{policy.name}</span>
        <span className="font-mono text-xs">{registryName}/{policy.repositoryGlob}</span>
        <span className="text-xs text-slate-600">{rulesText(policy)}</span>
        <span className="ml-auto flex gap-2">
          <button className="btn-secondary py-1" onClick={() => preview.mutate()} disabled={preview.isPending}>{preview.isPending ? "Previewing…" : "Preview"}</button>
          <button className="btn-primary py-1" onClick={() => { if (confirm(`Delete every tag “${policy.name}” does not keep? Preview first to see the list.`)) run.mutate(); }} disabled={run.isPending}>Run</button>
          <button className="btn-danger py-1" onClick={() => remove.mutate()}>Remove</button>
        </span>
      </div>
      <p className="text-xs text-slate-500">Always kept: protected tags, tags in a pipeline stage, tags of a kept index’s manifests, and (where the registry deletes by digest) tags sharing a kept digest.</p>
      <ErrorMessage error={preview.error ?? run.error ?? remove.error} />
      <Runs policyId={policy.id} />
      {shown && preview.data && <PreviewTable preview={preview.data} />}
    </div>
  );
}

export function RetentionSettings() {
  const { data: registries = [] } = useRegistries();
  const { policies, add } = useRetentionPolicies();
  const name = (id: string) => registries.find((r) => r.id === id)?.name ?? id.slice(0, 8);
  const submit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const num = (k: string) => (f.get(k) ? Number(f.get(k)) : undefined);
    const keepTags = String(f.get("keepTags") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    add.mutate({
      name: f.get("name"),
      registryId: f.get("registryId"),
      repositoryGlob: f.get("repositoryGlob"),
      rules: {
        ...(num("keepLast") ? { keepLast: { count: num("keepLast"), per: f.get("per") } } : {}),
        ...(num("keepDays") ? { keepDays: num("keepDays") } : {}),
        ...(keepTags.length ? { keepTags } : {}),
      },
      ...(String(f.get("schedule") ?? "").trim() ? { schedule: String(f.get("schedule")).trim() } : {}),
    });
  };
  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold">Retention policies</h1>
      <p className="text-sm text-slate-600">A policy covers the repositories of one registry that match a glob; every tag no rule keeps is deleted by a run, through the registry’s own delete method, with one audit event per deletion. Preview first.</p>
      <div className="card divide-y divide-slate-100" data-testid="policies">
        {policies.data?.length === 0 && <p className="px-4 py-3 text-sm text-slate-500">No policies: nothing is ever deleted automatically.</p>}
        {policies.data?.map((p) => <PolicyCard key={p.id} policy={p} registryName={name(p.registryId)} />)}
      </div>
      <form aria-label="Add policy" className="card flex flex-wrap items-end gap-3 p-4" onSubmit={submit}>
        <div><label className="label" htmlFor="p-name">Name</label><input id="p-name" name="name" className="input w-40" placeholder="api cleanup" required /></div>
        <div><label className="label" htmlFor="p-reg">Registry</label><select id="p-reg" name="registryId" className="input">{registries.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}</select></div>
        <div><label className="label" htmlFor="p-repo">Repository glob</label><input id="p-repo" name="repositoryGlob" className="input w-36 font-mono" placeholder="acme/*" required /></div>
        <div><label className="label" htmlFor="p-last">Keep last</label><input id="p-last" name="keepLast" type="number" min={1} className="input w-20" placeholder="10" /></div>
        <div><label className="label" htmlFor="p-per">versions per</label><select id="p-per" name="per" className="input" defaultValue="all"><option value="all">all</option><option value="major">major line</option><option value="minor">minor line</option></select></div>
        <div><label className="label" htmlFor="p-days">Keep pushed within (days)</label><input id="p-days" name="keepDays" type="number" min={1} className="input w-24" /></div>
        <div className="flex-1"><label className="label" htmlFor="p-tags">Keep tags (globs, comma-separated)</label><input id="p-tags" name="keepTags" className="input font-mono" placeholder="latest, stable-*" /></div>
        <div><label className="label" htmlFor="p-sched">Schedule (cron, UTC; empty: by click only)</label><input id="p-sched" name="schedule" className="input w-44 font-mono" placeholder="0 3 * * *" /></div>
        <button className="btn-primary" type="submit">Add policy</button>
      </form>
      <ErrorMessage error={add.error} />
    </div>
  );
}

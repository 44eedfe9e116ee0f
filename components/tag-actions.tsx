"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { api } from "@/components/api";
import { shortDigest } from "@/components/format";
import { usePromotionMutations } from "@/components/hooks/use-promotions";
import { ErrorBanner } from "@/components/field-error";
import { PromoteDialog, type PromoteTarget } from "@/components/promote-dialog";

const VERBS: Record<string, string> = { "registry.push": "pushed", promote: "promoted here", retag: "retagged", rollback: "rolled back" };

interface Change { id: string; at: string; digest: string | null; previousDigest: string | null; source: string; actor: string | null }
interface Stage { id: string; name: string; registryId: string; repository: string; digest: string | null | undefined; error?: string }
interface Protection { minRole: string; immutable: boolean; reasons: string[] }

/** The tag page's actions: protection, pipeline stages, promote, history with roll back. */
export function TagActions(props: { registryId: string; repository: string; reference: string; digest?: string; canPromote: boolean }) {
  const { registryId, repository, reference } = props;
  const isTag = !reference.startsWith("sha256:");
  const [dialog, setDialog] = useState<PromoteTarget | null>(null);
  const q = new URLSearchParams({ registryId, repository, tag: reference });
  const protection = useQuery({ queryKey: ["protection", { registryId, repository, reference }], queryFn: () => api<Protection>(`/protection?${q}`), enabled: isTag });
  const stages = useQuery({ queryKey: ["stages", { reference }], queryFn: async () => (await api<{ stages: Stage[] }>(`/environments?tag=${encodeURIComponent(reference)}`)).stages, enabled: isTag });
  const history = useQuery({
    queryKey: ["tag-history", { registryId, repository, reference }],
    queryFn: async () => (await api<{ changes: Change[] }>(`/registries/${registryId}/tag-history?${new URLSearchParams({ repository, tag: reference })}`)).changes,
    enabled: isTag,
  });
  const lastPush = useQuery({
    queryKey: ["last-push", { registryId, repository, reference }],
    queryFn: async () => (await api<{ push: { at: string; actor: string; actorKind: string; action: string; digest: string | null } | null }>(`/audit/last-push?${q}`)).push,
    enabled: isTag,
  });
  const m = usePromotionMutations();
  const router = useRouter();
  const remove = useMutation({
    mutationFn: async () => {
      const q = new URLSearchParams({ repository, tag: reference });
      const preview = await api<{ digest: string; tags: string[]; explanation: string }>(`/registries/${registryId}/tags?${q}&dryRun=1`, { method: "DELETE" });
      if (!confirm(`Delete ${repository}:${reference}?\n\n${preview.explanation}\n\nTags removed: ${preview.tags.join(", ")}`)) return false;
      await api(`/registries/${registryId}/tags?${q}&confirmDigest=${encodeURIComponent(preview.digest)}`, { method: "DELETE" });
      return true;
    },
    onSuccess: (deleted) => { if (deleted) router.push(`/registries/${registryId}/tags?repository=${encodeURIComponent(repository)}`); },
  });
  const source = { registryId, repository, reference: props.digest ?? reference };
  const here = stages.data?.findIndex((s) => s.registryId === registryId && s.repository === repository) ?? -1;
  const next = here >= 0 ? stages.data?.[here + 1] : undefined;
  const p = protection.data;

  return (
    <div className="card space-y-3 p-4 text-sm" data-testid="tag-actions">
      <div className="flex flex-wrap items-center gap-2">
        {props.canPromote && <button className="btn-primary" onClick={() => setDialog({ registryId, repository, tag: isTag ? reference : "" })}>Promote…</button>}
        {props.canPromote && isTag && <button className="btn-danger" onClick={() => remove.mutate()} disabled={remove.isPending}>{remove.isPending ? "Checking…" : "Delete…"}</button>}
        <Link className="btn-secondary" href={`/compare?${new URLSearchParams({ from: `${registryId}:${repository}:${reference}` })}`}>Compare…</Link>
        {props.canPromote && next && <button className="btn-secondary" onClick={() => setDialog({ registryId: next.registryId, repository: next.repository, tag: reference })}>Promote to {next.name}</button>}
        {p && (p.immutable || p.minRole !== "OPERATOR") && (
          <span data-testid="protection" className="rounded bg-amber-50 px-2 py-1 text-xs text-amber-900">Locked · {p.immutable ? "immutable" : `needs ${p.minRole.toLowerCase()}`}: {p.reasons.join("; ")}</span>
        )}
      </div>
      {isTag && lastPush.data !== undefined && (
        <p className="text-xs text-slate-600" data-testid="last-push">
          {lastPush.data
            ? <>Last {VERBS[lastPush.data.action] ?? lastPush.data.action} by <strong>{lastPush.data.actor}</strong> on {new Date(lastPush.data.at).toLocaleString()}{lastPush.data.action === "registry.push" ? " (registry event)" : " (through Regatta)"}{lastPush.data.digest && lastPush.data.digest !== props.digest ? `, then moved outside Regatta` : ""}</>
            : "Who pushed this tag is not known: no registry event or Regatta action has named it yet."}
        </p>
      )}
      {stages.data && stages.data.length > 0 && (
        <div className="flex flex-wrap items-center gap-1 text-xs" data-testid="pipeline">
          {stages.data.map((s, i) => (
            <span key={s.id} className="flex items-center gap-1">
              {i > 0 && <span className="text-slate-400">→</span>}
              <span title={s.error ?? s.digest ?? "not there"} className={`rounded px-2 py-0.5 ${s.digest && s.digest === props.digest ? "bg-emerald-100 text-emerald-800" : s.digest ? "bg-amber-100 text-amber-800" : "bg-slate-100 text-slate-500"}`}>
                {s.name}: {s.digest ? (s.digest === props.digest ? "this version" : shortDigest(s.digest)) : s.error ? "unreachable" : "–"}
              </span>
            </span>
          ))}
        </div>
      )}
      {isTag && history.data && history.data.length > 0 && (
        <details open>
          <summary className="cursor-pointer font-medium">History of {reference}</summary>
          <ol className="mt-2 space-y-1" data-testid="tag-history">
            {history.data.map((c) => (
              <li key={c.id} className="flex flex-wrap items-center gap-2 text-xs">
                <span className="text-slate-500">{new Date(c.at).toLocaleString()}</span>
                <code>{c.previousDigest ? shortDigest(c.previousDigest) : "new"} → {c.digest ? shortDigest(c.digest) : "deleted"}</code>
                <span className="text-slate-500">{c.source}{c.actor ? ` by ${c.actor}` : ""}</span>
                {props.canPromote && c.previousDigest && c.previousDigest !== props.digest && (
                  <button
                    className="btn-secondary py-0.5 text-xs"
                    onClick={() => { if (confirm(`Roll ${reference} back to ${c.previousDigest}?`)) m.run.mutate({ kind: "rollback", overwrite: true, source: { registryId, repository, reference: c.previousDigest! }, target: { registryId, repository, tag: reference } }); }}
                  >Roll back to {shortDigest(c.previousDigest)}</button>
                )}
              </li>
            ))}
          </ol>
        </details>
      )}
      <ErrorBanner error={m.run.error ?? remove.error} />
      {dialog && <PromoteDialog source={source} label={`${repository}:${reference}`} initial={dialog} onClose={() => setDialog(null)} />}
    </div>
  );
}

"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { shortDigest } from "@/components/format";
import { useDeleteTag, type DeletePreview } from "@/components/hooks/use-delete-tag";
import { useLastPush } from "@/components/hooks/use-last-push";
import { usePromotionMutations } from "@/components/hooks/use-promotions";
import { useProtection } from "@/components/hooks/use-protection";
import { useStages } from "@/components/hooks/use-stages";
import { useTagHistory } from "@/components/hooks/use-tag-history";
import { Time } from "@/components/time";
import { ErrorMessage } from "@/components/error-message";
import { Modal } from "@/components/modal";
import { PromoteDialog, type PromoteTarget } from "@/components/promote-dialog";
import { SupplyChainBadges } from "@/components/supply-chain-badges";

const VERBS: Record<string, string> = { "registry.push": "pushed", promote: "promoted here", retag: "retagged", rollback: "rolled back" };


/** The tag page's actions: protection, pipeline stages, promote, history with roll back. */
export function TagActions(props: { registryId: string; repository: string; reference: string; digest?: string; canPromote: boolean }) {
  const { registryId, repository, reference } = props;
  const isTag = !reference.startsWith("sha256:");
  const [dialog, setDialog] = useState<(PromoteTarget & { autoPlan?: boolean }) | null>(null);
  const protection = useProtection(registryId, repository, reference, isTag);
  const stages = useStages(reference, isTag);
  const history = useTagHistory(registryId, repository, reference, isTag);
  const lastPush = useLastPush(registryId, repository, reference, isTag);
  const m = usePromotionMutations();
  const router = useRouter();
  const [deleting, setDeleting] = useState(false);
  const [rollback, setRollback] = useState<string | null>(null);
  // the digest pins what is promoted; the tag travels along as the name the person chose
  const source = { registryId, repository, reference: props.digest ?? reference, ...(isTag && props.digest ? { tag: reference } : {}) };
  const here = stages.data?.findIndex((s) => s.registryId === registryId && s.repository === repository) ?? -1;
  const next = here >= 0 ? stages.data?.[here + 1] : undefined;
  const p = protection.data;

  return (
    <div className="card space-y-3 p-4 text-sm" data-testid="tag-actions">
      <div className="flex flex-wrap items-center gap-2">
        {props.canPromote && <button className="btn-primary" onClick={() => setDialog({ registryId, repository, tag: isTag ? reference : "" })}>Promote…</button>}
        {props.canPromote && isTag && <button className="btn-danger" onClick={() => setDeleting(true)}>Delete…</button>}
        <Link className="btn-secondary" href={`/compare?${new URLSearchParams({ from: `${registryId}:${repository}:${reference}` })}`}>Compare…</Link>
        {props.canPromote && next && <button className="btn-secondary" onClick={() => setDialog({ registryId: next.registryId, repository: next.repository, tag: reference, autoPlan: true })}>Promote to {next.name}</button>}
        {p && (p.immutable || p.minRole !== "OPERATOR") && (
          <span data-testid="protection" className="rounded bg-amber-50 px-2 py-1 text-xs text-amber-900">Locked · {p.immutable ? "immutable" : `needs ${p.minRole.toLowerCase()}`}: {p.reasons.join("; ")}</span>
        )}
      </div>
      <SupplyChainBadges registryId={registryId} repository={repository} reference={props.digest ?? reference} />
      {/* the lines below hold their place while their data comes: nothing under them moves then */}
      {isTag && (lastPush.data !== undefined || lastPush.isPending) && (
        <p className="min-h-8 text-xs text-slate-600 sm:min-h-0" data-testid="last-push" data-state={lastPush.isPending ? "pending" : "done"}>
          {lastPush.isPending ? "Who pushed this tag: checking…" : lastPush.data
            ? <>Last {VERBS[lastPush.data.action] ?? lastPush.data.action} by <strong>{lastPush.data.actor}</strong> <Time at={lastPush.data.at} />{lastPush.data.action === "registry.push" ? " (registry event)" : " (through Regatta)"}{lastPush.data.digest && lastPush.data.digest !== props.digest ? `, then moved outside Regatta` : ""}</>
            : "Who pushed this tag is not known: no registry event or Regatta action has named it yet."}
        </p>
      )}
      {stages.data && stages.data.length > 0 && (
        <div className="flex flex-wrap items-center gap-1 text-xs" data-testid="pipeline">
          {stages.data.map((s, i) => (
            <span key={s.id} className="flex items-center gap-1">
              {i > 0 && <span className="text-slate-500">→</span>}
              <span title={s.error ?? s.digest ?? "not there"} className={`rounded px-2 py-0.5 ${s.digest && s.digest === props.digest ? "bg-emerald-100 text-emerald-800" : s.digest ? "bg-amber-100 text-amber-800" : "bg-slate-100 text-slate-500"}`}>
                {s.name}: {s.digest ? (s.digest === props.digest ? "this version" : shortDigest(s.digest)) : s.error ? "unreachable" : "–"}
              </span>
            </span>
          ))}
        </div>
      )}
      {isTag && !history.error && (
        <details open>
          <summary className="cursor-pointer font-medium">History of {reference}</summary>
          <ol className="mt-2 space-y-1" data-testid="tag-history">
            {history.isPending && <li className="text-xs text-slate-500">Loading…</li>}
            {history.data?.length === 0 && <li className="text-xs text-slate-500">No change of this tag recorded yet.</li>}
            {history.data?.map((c) => (
              <li key={c.id} className="flex flex-wrap items-center gap-2 text-xs">
                <Time at={c.at} className="text-slate-500" />
                <code>{c.previousDigest ? shortDigest(c.previousDigest) : "new"} → {c.digest ? shortDigest(c.digest) : "deleted"}</code>
                <span className="text-slate-500">{c.source}{c.actor ? ` by ${c.actor}` : ""}</span>
                {props.canPromote && c.previousDigest && c.previousDigest !== props.digest && (
                  <button
                    className="btn-secondary py-0.5 text-xs"
                    onClick={() => setRollback(c.previousDigest)}
                  >Roll back to {shortDigest(c.previousDigest)}</button>
                )}
              </li>
            ))}
          </ol>
        </details>
      )}
      <ErrorMessage error={m.run.error} />
      {dialog && <PromoteDialog source={source} label={`${repository}:${reference}`} initial={{ registryId: dialog.registryId, repository: dialog.repository, tag: dialog.tag }} autoPlan={dialog.autoPlan} onClose={() => setDialog(null)} />}
      {deleting && <DeleteDialog registryId={registryId} repository={repository} tag={reference} onClose={() => setDeleting(false)} />}
      {rollback && (
        <Modal title={<>Roll <code className="font-mono text-sm">{reference}</code> back</>} onClose={() => setRollback(null)}>
          <p className="text-sm">{reference} will point to <code className="break-all font-mono text-xs">{rollback}</code> again{props.digest ? <> instead of <code className="font-mono text-xs">{shortDigest(props.digest)}</code></> : null}.</p>
          <div className="flex gap-2">
            <button type="button" className="btn-primary" onClick={() => { m.run.mutate({ kind: "rollback", overwrite: true, source: { registryId, repository, reference: rollback }, target: { registryId, repository, tag: reference } }); setRollback(null); }}>Roll back</button>
            <button type="button" className="btn-secondary ml-auto" onClick={() => setRollback(null)}>Cancel</button>
          </div>
        </Modal>
      )}
    </div>
  );
}

/**
 * Delete in a dialog that names every tag going with the digest and asks for the digest (or, when
 * only this tag goes, its name) typed before the Delete button works.
 */
function DeleteDialog({ registryId, repository, tag, onClose }: { registryId: string; repository: string; tag: string; onClose: () => void }) {
  const router = useRouter();
  const { preview, remove } = useDeleteTag(registryId, repository, tag, () => router.push(`/registries/${registryId}/tags?repository=${encodeURIComponent(repository)}`));
  const [typed, setTyped] = useState("");
  const p = preview.data;
  const t = typed.trim();
  const matches = !!p && (t === p.digest || t === p.digest.replace(/^sha256:/, "") || t === tag);
  const others = p?.tags.filter((x) => x !== tag) ?? [];
  return (
    <Modal title={<>Delete <code className="font-mono text-sm">{repository}:{tag}</code></>} onClose={onClose} closable={!remove.isPending} testId="delete-dialog">
      {preview.isPending && <p className="text-sm text-slate-600">Checking which tags share this digest…</p>}
      <ErrorMessage error={preview.error} query={preview} />
      {p && (
        <>
          <p className="text-sm">{p.explanation}</p>
          <div className="text-sm">
            <p className="font-medium">{p.tags.length === 1 ? "This tag will be deleted:" : `These ${p.tags.length} tags will be deleted:`}</p>
            <ul className="mt-1 flex max-h-40 flex-wrap gap-1 overflow-y-auto" data-testid="delete-tags">
              {p.tags.map((x) => <li key={x} className={`rounded px-1.5 py-0.5 font-mono text-xs ${x === tag ? "bg-red-100 text-red-900" : "bg-amber-100 text-amber-900"}`}>{x}</li>)}
            </ul>
            {others.length > 0 && <p className="mt-1 text-xs text-amber-800">{others.length === 1 ? "1 other tag shares" : `${others.length} other tags share`} the digest and will go too.</p>}
          </div>
          <div>
            <label className="label" htmlFor="delete-confirm">Type the digest <code className="font-mono">{shortDigest(p.digest)}…</code>{p.method === "tag" || !others.length ? <> or the tag name</> : null} to confirm</label>
            <input id="delete-confirm" className="input font-mono" autoComplete="off" spellCheck={false} value={typed} onChange={(e) => setTyped(e.target.value)} placeholder={p.digest} />
            <p className="mt-1 break-all font-mono text-[11px] text-slate-500" data-testid="delete-digest">{p.digest}</p>
          </div>
        </>
      )}
      <ErrorMessage error={remove.error} />
      <div className="flex gap-2">
        <button type="button" className="btn-danger" disabled={!matches || !allowed(p, t, tag) || remove.isPending} onClick={() => p && remove.mutate(p.digest)}>
          {remove.isPending ? "Deleting…" : p && p.tags.length > 1 ? `Delete ${p.tags.length} tags` : "Delete"}
        </button>
        <button type="button" className="btn-secondary ml-auto" onClick={onClose} disabled={remove.isPending}>Cancel</button>
      </div>
    </Modal>
  );
}

/** The tag name confirms only a delete that takes this tag alone; taking others needs the digest. */
function allowed(p: DeletePreview | undefined, typed: string, tag: string): boolean {
  if (!p) return false;
  if (typed !== tag) return true;
  return p.method === "tag" || p.tags.every((x) => x === tag);
}

"use client";
import { useEffect, useRef, useState } from "react";
import { ApiClientError } from "@/components/api";
import { ErrorMessage } from "@/components/error-message";
import { formatBytes, shortDigest } from "@/components/format";
import { useRegistries } from "@/components/hooks/use-registries";
import { Modal } from "@/components/modal";
import { usePromotion, usePromotionMutations, type PromotionBody } from "@/components/hooks/use-promotions";
import { PlanDiff } from "@/components/plan-diff";
import { PromotionProgress } from "@/components/promotion-progress";
import type { PlanView, PlanVisibility, VisibilityName } from "@/lib/schemas/promotion";

export interface PromoteTarget {
  registryId: string;
  repository: string;
  tag: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The dry run in the future tense: nothing has happened yet. */
export function planSentence(plan: PlanView): string {
  if (plan.noop) return "Nothing will change: the target tag already points to this digest.";
  const count = (a: PlanView["blobs"][number]["action"]) => plan.blobs.filter((b) => b.action === a).length;
  const parts = [
    count("mount") && `${plural(count("mount"), "blob")} will be mounted`,
    count("copy") && `${plural(count("copy"), "blob")} will be copied (${formatBytes(plan.bytesToCopy)})`,
    count("exists") && `${plural(count("exists"), "blob")} ${count("exists") === 1 ? "is" : "are"} already there`,
  ].filter(Boolean);
  return `${parts.length ? `${parts.join(", ")}; ` : ""}${plural(plan.manifests, "manifest")} will be written.`;
}

const VISIBILITY_STYLE: Record<VisibilityName, string> = {
  public: "bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-200",
  private: "bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100",
  unknown: "bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300",
};

function VisibilityBadge({ v, basis, testId }: { v: VisibilityName; basis: string; testId: string }) {
  return <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${VISIBILITY_STYLE[v]}`} title={basis} data-testid={testId}>{v}</span>;
}

/** Who may pull the source and the target, and what the promotion will change about it. */
export function PlanVisibilityView({ v }: { v: PlanVisibility }) {
  return (
    <div className={`mt-2 space-y-1 ${v.publishes ? "rounded-md border border-amber-300 bg-amber-50 p-2 text-amber-900 dark:border-amber-700 dark:bg-amber-950/40 dark:text-amber-200" : ""}`} data-testid="plan-visibility">
      <p className="flex flex-wrap items-center gap-1.5">
        <span>Source</span> <VisibilityBadge v={v.source.visibility} basis={v.source.basis} testId="source-visibility" />
        <span aria-hidden>→</span><span className="sr-only">, target</span>
        <span aria-hidden>target</span> <VisibilityBadge v={v.target.visibility} basis={v.target.basis} testId="target-visibility" />
        {v.target.exists === false && <span className="text-xs">(new repository)</span>}
      </p>
      {v.notes.map((n) => <p key={n}>{n}</p>)}
    </div>
  );
}

/**
 * Plan first (dry run), then promote. The plan runs every check the promotion will run (role,
 * protection rules, the target's credentials, the vendor's own refusals): Promote stays disabled,
 * with the reason, until a plan for exactly these inputs says it will work. An existing target
 * tag is only moved after an explicit confirmation, and an image only published (copied from a
 * private or unknown-visibility repository into a public one) after another.
 */
export function PromoteDialog({ source, label, initial, onClose, autoPlan = false }: { source: PromotionBody["source"]; label: string; initial: PromoteTarget; onClose: () => void; autoPlan?: boolean }) {
  const { data: registries = [] } = useRegistries();
  const [target, setTarget] = useState(initial);
  const [overwrite, setOverwrite] = useState(false);
  const [confirmPublish, setConfirmPublish] = useState(false);
  const m = usePromotionMutations();
  const [promotionId, setPromotionId] = useState<string | null>(null);
  const progress = usePromotion(promotionId);
  const body: PromotionBody = { source, target, overwrite, ...(confirmPublish ? { confirmPublish } : {}) };
  const plan = m.plan.data?.plan;
  const moving = !!plan?.existingTargetDigest && plan.existingTargetDigest !== plan.digest;
  const conflictDetails = m.run.error instanceof ApiClientError && m.run.error.status === 409 ? m.run.error.details : undefined;
  const set = (k: keyof PromoteTarget) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
    setTarget({ ...target, [k]: e.target.value });
    setConfirmPublish(false);
    m.plan.reset();
    m.run.reset();
  };
  // a target chosen for the person (the next pipeline stage) is planned at once: one click to Promote
  const planNow = useRef(autoPlan);
  useEffect(() => {
    if (!planNow.current) return;
    planNow.current = false;
    m.plan.mutate(body);
  });
  const blocked = m.plan.error
    ? `Promote is not possible: ${m.plan.error.message}`
    : !plan
      ? "Plan first: the dry run checks everything the promotion will check."
      : plan.blockers?.length
        ? `Promote is not possible: ${plan.blockers.join("; ")}`
        : plan.visibility?.confirmationRequired && !confirmPublish
          ? "Confirm the publication: the image will become public."
          : moving && !overwrite
            ? "Confirm the overwrite to move the existing tag."
            : undefined;

  return (
    <Modal title={<>Promote <code className="font-mono text-sm">{label}</code> <span className="font-mono text-xs text-slate-500">{shortDigest(source.reference)}</span></>} onClose={onClose} testId="promote-dialog">
      <div className="grid gap-3 sm:grid-cols-3">
        <div><label className="label" htmlFor="p-registry">Target registry</label>
          <select id="p-registry" className="input" value={target.registryId} onChange={set("registryId")} disabled={!!promotionId}>
            {registries.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
          </select></div>
        <div><label className="label" htmlFor="p-repository">Repository</label><input id="p-repository" className="input font-mono" value={target.repository} onChange={set("repository")} disabled={!!promotionId} /></div>
        <div><label className="label" htmlFor="p-tag">Tag</label><input id="p-tag" className="input font-mono" value={target.tag} onChange={set("tag")} disabled={!!promotionId} /></div>
      </div>
      {plan && (
        <div className="rounded-md bg-slate-50 p-3 text-sm dark:bg-slate-800" data-testid="plan">
          <p>{planSentence(plan)}</p>
          {plan.gate && plan.gate.requires.length > 0 && (
            <div className="mt-2" data-testid="plan-gate">
              <p className="font-medium">The target requires {plan.gate.requires.join(" and ")}.</p>
              {plan.gate.missing.length === 0
                ? <p className="text-emerald-800 dark:text-emerald-300">✓ All present and verified.</p>
                : <ul className="list-disc break-all pl-5 text-red-800 dark:text-red-300">{plan.gate.missing.map((m) => <li key={m}>Missing: {m}</li>)}</ul>}
            </div>
          )}
          {moving && (
            <p className="mt-2 text-amber-800 dark:text-amber-300" data-testid="overwrite-warning">
              The tag exists and will move: <code>{shortDigest(plan.existingTargetDigest!)}</code> → <code>{shortDigest(plan.digest)}</code>
            </p>
          )}
          {plan.visibility && <PlanVisibilityView v={plan.visibility} />}
          {moving && <PlanDiff source={source} target={target} current={plan.existingTargetDigest!} next={plan.digest} />}
        </div>
      )}
      {plan?.visibility?.confirmationRequired && (
        <label className="flex items-start gap-2 text-sm text-amber-900 dark:text-amber-300">
          <input type="checkbox" className="mt-1" checked={confirmPublish} onChange={(e) => setConfirmPublish(e.target.checked)} disabled={!!promotionId} /> Publish it: anyone will be able to pull this image from {plan.target}
        </label>
      )}
      {(moving || conflictDetails) && (
        <label className="flex items-center gap-2 text-sm text-amber-900 dark:text-amber-300">
          <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} disabled={!!promotionId} /> Move the existing tag (overwrite)
        </label>
      )}
      <ErrorMessage error={m.run.error} />
      {progress.data && <PromotionProgress p={progress.data} />}
      {m.run.data && !promotionId && <PromotionProgress p={m.run.data} />}
      {!promotionId && blocked && <p className={`text-sm ${m.plan.error || plan?.blockers?.length ? "break-all rounded-md bg-red-50 px-3 py-2 text-red-800" : "text-slate-600"}`} id="promote-blocked" data-testid="promote-blocked" role={m.plan.error ? "alert" : undefined}>{blocked}</p>}
      <div className="flex flex-wrap gap-2">
        <button type="button" className="btn-secondary" onClick={() => m.plan.mutate(body)} disabled={m.plan.isPending || !!promotionId}>{m.plan.isPending ? "Planning…" : "Plan (dry run)"}</button>
        <button
          type="button"
          className="btn-primary"
          disabled={!!blocked || m.run.isPending || !!promotionId}
          aria-describedby={blocked ? "promote-blocked" : undefined}
          title={blocked}
          onClick={() => m.run.mutate(body, { onSuccess: (p) => setPromotionId(p.id) })}
        >Promote</button>
        <button type="button" className="btn-secondary ml-auto" onClick={onClose}>Close</button>
      </div>
    </Modal>
  );
}

"use client";
import { useState } from "react";
import { ApiClientError } from "@/components/api";
import { ErrorBanner } from "@/components/field-error";
import { formatBytes, shortDigest } from "@/components/format";
import { useRegistries } from "@/components/hooks/use-registries";
import { usePromotion, usePromotionMutations, type PromotionBody } from "@/components/hooks/use-promotions";
import { PromotionProgress } from "@/components/promotion-progress";

export interface PromoteTarget {
  registryId: string;
  repository: string;
  tag: string;
}

/** Plan first (dry run), then promote; an existing target tag is only moved after an explicit confirmation. */
export function PromoteDialog({ source, label, initial, onClose }: { source: PromotionBody["source"]; label: string; initial: PromoteTarget; onClose: () => void }) {
  const { data: registries = [] } = useRegistries();
  const [target, setTarget] = useState(initial);
  const [overwrite, setOverwrite] = useState(false);
  const m = usePromotionMutations();
  const [promotionId, setPromotionId] = useState<string | null>(null);
  const progress = usePromotion(promotionId);
  const body: PromotionBody = { source, target, overwrite };
  const plan = m.plan.data?.plan;
  const moving = !!plan?.existingTargetDigest && plan.existingTargetDigest !== plan.digest;
  const conflictDetails = m.run.error instanceof ApiClientError && m.run.error.status === 409 ? m.run.error.details : undefined;
  const set = (k: keyof PromoteTarget) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
    setTarget({ ...target, [k]: e.target.value });
    m.plan.reset();
    m.run.reset();
  };

  return (
    <div className="fixed inset-0 z-20 flex items-start justify-center bg-slate-900/30 pt-24" role="dialog" aria-label="Promote">
      <div className="card w-full max-w-xl space-y-4 p-5">
        <h2 className="font-medium">Promote <code className="font-mono text-sm">{label}</code> <span className="font-mono text-xs text-slate-500">{shortDigest(source.reference)}</span></h2>
        <div className="grid gap-3 sm:grid-cols-3">
          <div><label className="label" htmlFor="p-registry">Target registry</label>
            <select id="p-registry" className="input" value={target.registryId} onChange={set("registryId")}>
              {registries.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
            </select></div>
          <div><label className="label" htmlFor="p-repository">Repository</label><input id="p-repository" className="input font-mono" value={target.repository} onChange={set("repository")} /></div>
          <div><label className="label" htmlFor="p-tag">Tag</label><input id="p-tag" className="input font-mono" value={target.tag} onChange={set("tag")} /></div>
        </div>
        {plan && (
          <div className="rounded-md bg-slate-50 p-3 text-sm" data-testid="plan">
            <p>{plan.noop ? "Nothing to do: the target tag already points to this digest." : `${plan.blobs.filter((b) => b.action === "mount").length} blobs mounted, ${plan.blobs.filter((b) => b.action === "copy").length} copied (${formatBytes(plan.bytesToCopy)}), ${plan.blobs.filter((b) => b.action === "exists").length} already there; ${plan.manifests} manifest${plan.manifests === 1 ? "" : "s"} written.`}</p>
            {moving && (
              <p className="mt-2 text-amber-800" data-testid="overwrite-warning">
                The tag exists: <code>{shortDigest(plan.existingTargetDigest!)}</code> → <code>{shortDigest(plan.digest)}</code>
              </p>
            )}
          </div>
        )}
        {(moving || conflictDetails) && (
          <label className="flex items-center gap-2 text-sm text-amber-900">
            <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} /> Move the existing tag (overwrite)
          </label>
        )}
        <ErrorBanner error={m.plan.error ?? m.run.error} />
        {progress.data && <PromotionProgress p={progress.data} />}
        {m.run.data && !promotionId && <PromotionProgress p={m.run.data} />}
        <div className="flex gap-2">
          <button className="btn-secondary" onClick={() => m.plan.mutate(body)} disabled={m.plan.isPending}>{m.plan.isPending ? "Planning…" : "Plan (dry run)"}</button>
          <button
            className="btn-primary"
            disabled={m.run.isPending || !!promotionId || (moving && !overwrite)}
            onClick={() => m.run.mutate(body, { onSuccess: (p) => setPromotionId(p.id) })}
          >Promote</button>
          <button className="btn-secondary ml-auto" onClick={onClose}>Close</button>
        </div>
      </div>
    </div>
  );
}

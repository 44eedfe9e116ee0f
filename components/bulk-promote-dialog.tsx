"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api, ApiClientError } from "@/components/api";
import { mapLimit } from "@/lib/concurrency";
import { useRegistries } from "@/components/hooks/use-registries";
import { Modal } from "@/components/modal";
import { PlanVisibilityView } from "@/components/promote-dialog";
import type { PlanView, PromotionView } from "@/lib/schemas/promotion";

/** The most tags one bulk promotion takes: each is its own request, checks and job. */
export const BULK_LIMIT = 500;

type Outcome = { tag: string; state: "waiting" | "done" | "queued" | "exists" | "error"; message?: string };

/** Several tags at once, same names in the target: each one goes through the same checks as a single promotion. */
export function BulkPromoteDialog({ registryId, repository, tags, onClose }: { registryId: string; repository: string; tags: string[]; onClose: () => void }) {
  const { data: registries = [] } = useRegistries();
  const [target, setTarget] = useState({ registryId, repository });
  const [overwrite, setOverwrite] = useState(false);
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  const running = outcomes?.some((o) => o.state === "waiting");
  const [confirmPublish, setConfirmPublish] = useState(false);
  // visibility is per repository: the dry run of the first tag says it for all of them
  const [planned, setPlanned] = useState(target);
  useEffect(() => {
    const t = setTimeout(() => setPlanned(target), 400);
    return () => clearTimeout(t);
  }, [target]);
  const plan = useQuery({
    queryKey: ["bulk-plan", { registryId, repository, tag: tags[0], target: planned }],
    queryFn: () => api<{ plan: PlanView }>("/promotions", { method: "POST", body: { source: { registryId, repository, reference: tags[0] }, target: { ...planned, tag: tags[0] }, dryRun: true } }),
    enabled: tags.length > 0 && !!planned.repository,
    retry: false,
    staleTime: 30_000,
  });
  const visibility = plan.data?.plan.visibility;
  const publishBlockers = visibility?.publishes && !visibility.confirmationRequired ? plan.data?.plan.blockers ?? [] : [];
  const blocked = publishBlockers.length
    ? `Promote is not possible: ${publishBlockers.join("; ")}`
    : visibility?.confirmationRequired && !confirmPublish
      ? "Confirm the publication: the images will become public."
      : undefined;

  async function run() {
    const list: Outcome[] = tags.map((tag) => ({ tag, state: "waiting" }));
    setOutcomes([...list]);
    await mapLimit(tags, 4, async (tag, i) => {
      try {
        const p = await api<PromotionView>("/promotions", { method: "POST", body: { source: { registryId, repository, reference: tag }, target: { ...target, tag }, overwrite, ...(confirmPublish ? { confirmPublish } : {}) } });
        list[i] = { tag, state: p.state === "succeeded" ? "done" : p.state === "failed" ? "error" : "queued", message: p.error ?? undefined };
      } catch (e) {
        const conflict = e instanceof ApiClientError && e.status === 409;
        list[i] = { tag, state: conflict ? "exists" : "error", message: (e as Error).message };
      }
      setOutcomes([...list]);
    });
  }

  const count = (s: Outcome["state"]) => outcomes?.filter((o) => o.state === s).length ?? 0;
  return (
    <Modal title={<>Promote {tags.length} tag{tags.length === 1 ? "" : "s"} of <code className="font-mono text-sm">{repository}</code></>} onClose={onClose} closable={!running} testId="bulk-promote-dialog">
        <div className="grid gap-3 sm:grid-cols-2">
          <div><label className="label" htmlFor="b-registry">Target registry</label>
            <select id="b-registry" className="input" value={target.registryId} onChange={(e) => { setTarget({ ...target, registryId: e.target.value }); setConfirmPublish(false); }} disabled={!!outcomes}>
              {registries.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
            </select></div>
          <div><label className="label" htmlFor="b-repository">Repository</label>
            <input id="b-repository" className="input font-mono" value={target.repository} onChange={(e) => { setTarget({ ...target, repository: e.target.value }); setConfirmPublish(false); }} disabled={!!outcomes} /></div>
        </div>
        <label className="flex items-center gap-2 text-sm text-amber-900">
          <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} disabled={!!outcomes} /> Move tags that already exist in the target (overwrite)
        </label>
        {visibility && <div className="text-sm"><PlanVisibilityView v={visibility} /></div>}
        {visibility?.confirmationRequired && (
          <label className="flex items-start gap-2 text-sm text-amber-900 dark:text-amber-300">
            <input type="checkbox" className="mt-1" checked={confirmPublish} onChange={(e) => setConfirmPublish(e.target.checked)} disabled={!!outcomes} /> Publish them: anyone will be able to pull these images
          </label>
        )}
        {!outcomes && blocked && <p className={`text-sm ${publishBlockers.length ? "rounded-md bg-red-50 px-3 py-2 text-red-800" : "text-slate-600"}`} id="bulk-blocked" data-testid="bulk-blocked">{blocked}</p>}
        {outcomes && (
          <div className="space-y-2 text-sm" data-testid="bulk-outcomes">
            <p>{count("done")} done · {count("queued")} queued · {count("exists")} already exist (not moved) · {count("error")} failed{running ? ` · ${count("waiting")} waiting` : ""}</p>
            <ul className="max-h-60 overflow-auto font-mono text-xs">
              {outcomes.map((o) => <li key={o.tag} className={o.state === "error" ? "text-red-700" : o.state === "exists" ? "text-amber-800" : ""}>{o.tag}: {o.state}{o.message ? ` (${o.message})` : ""}</li>)}
            </ul>
            {count("queued") > 0 && <Link className="text-sky-700 underline" href="/promotions">Follow the copies on Promotions</Link>}
          </div>
        )}
        <div className="flex gap-2">
          {!outcomes && <button className="btn-primary" onClick={run} disabled={!tags.length || !!blocked} title={blocked} aria-describedby={blocked ? "bulk-blocked" : undefined}>Promote {tags.length} tag{tags.length === 1 ? "" : "s"}</button>}
          <button className="btn-secondary ml-auto" onClick={onClose} disabled={running}>Close</button>
        </div>
    </Modal>
  );
}

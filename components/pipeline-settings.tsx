"use client";
import { ROLES } from "@/lib/schemas/roles";
import { ErrorMessage } from "@/components/error-message";
import { usePipeline } from "@/components/hooks/use-pipeline";
import { useRegistries } from "@/components/hooks/use-registries";

export function PipelineSettings() {
  const p = usePipeline();
  const { data: registries = [] } = useRegistries();
  const name = (id: string | null) => (id ? registries.find((r) => r.id === id)?.name ?? id.slice(0, 8) : "any registry");
  const form = (fn: (f: FormData) => void) => (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const el = e.currentTarget;
    fn(new FormData(el));
  };
  return (
    <div className="space-y-8">
      <section className="space-y-3">
        <h1 className="text-lg font-semibold">Stages</h1>
        <p className="text-sm text-slate-600">Stages in promotion order, each a repository of a registry. A tag page shows where a version stands and offers “promote to next stage”.</p>
        <div className="card divide-y divide-slate-100" data-testid="stages">
          {p.stages.data?.length === 0 && <p className="px-4 py-3 text-sm text-slate-500">No stages yet.</p>}
          {p.stages.data?.map((s) => (
            <div key={s.id} className="flex items-center gap-3 px-4 py-2 text-sm">
              <span className="w-6 text-slate-500">{s.position}</span><span className="w-32 font-medium">{s.name}</span>
              <span className="font-mono text-xs">{name(s.registryId)}/{s.repository}</span>
              <button className="btn-danger ml-auto py-1" onClick={() => p.removeStage.mutate(s.id)}>Remove</button>
            </div>
          ))}
        </div>
        <form aria-label="Add stage" className="card flex flex-wrap items-end gap-3 p-4" onSubmit={form((f) => p.addStage.mutate({ name: f.get("name"), position: Number(f.get("position")), registryId: f.get("registryId"), repository: f.get("repository") }))}>
          <div><label className="label" htmlFor="e-name">Name</label><input id="e-name" name="name" className="input w-32" placeholder="staging" required /></div>
          <div><label className="label" htmlFor="e-pos">Order</label><input id="e-pos" name="position" type="number" className="input w-20" defaultValue={(p.stages.data?.length ?? 0) + 1} /></div>
          <div><label className="label" htmlFor="e-reg">Registry</label><select id="e-reg" name="registryId" className="input">{registries.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}</select></div>
          <div className="flex-1"><label className="label" htmlFor="e-repo">Repository</label><input id="e-repo" name="repository" className="input font-mono" placeholder="acme/api" required /></div>
          <button className="btn-primary" type="submit">Add stage</button>
        </form>
        <ErrorMessage error={p.addStage.error ?? p.removeStage.error} />
      </section>
      <section className="space-y-3">
        <h2 className="text-lg font-semibold">Protection rules</h2>
        <p className="text-sm text-slate-600">Checked on the server before any registry call. Immutable: an existing tag is never moved. Minimum role: who may move or create the tag. Signed only / requires referrer type: a promotion into the tag needs a cosign signature verified by a <a className="underline" href="/settings/signing-keys">signing key</a>, or an SBOM or attestation of that type attached to the image.</p>
        <div className="card divide-y divide-slate-100" data-testid="rules">
          {p.rules.data?.length === 0 && <p className="px-4 py-3 text-sm text-slate-500">No rules: operators may move any tag.</p>}
          {p.rules.data?.map((r) => (
            <div key={r.id} className="flex items-center gap-3 px-4 py-2 text-sm">
              <span className="w-40">{name(r.registryId)}</span>
              <span className="font-mono text-xs">{r.repositoryGlob}:{r.tagGlob}</span>
              <span className="text-xs">{r.immutable ? "immutable" : ""} {r.minRole !== "OPERATOR" ? `needs ${r.minRole.toLowerCase()}` : ""}</span>
              {r.requireSignature && <span className="rounded bg-emerald-50 px-1.5 text-xs text-emerald-900">signed</span>}
              {r.requireArtifactType && <span className="rounded bg-sky-50 px-1.5 font-mono text-xs text-sky-900">needs {r.requireArtifactType}</span>}
              <span className="text-xs text-slate-500">{r.reason}</span>
              <button className="btn-danger ml-auto py-1" onClick={() => p.removeRule.mutate(r.id)}>Remove</button>
            </div>
          ))}
        </div>
        <form aria-label="Add rule" className="card flex flex-wrap items-end gap-3 p-4" onSubmit={form((f) => p.addRule.mutate({ registryId: f.get("registryId") || null, repositoryGlob: f.get("repositoryGlob"), tagGlob: f.get("tagGlob"), minRole: f.get("minRole"), immutable: f.get("immutable") === "on", reason: f.get("reason") || undefined, requireSignature: f.get("requireSignature") === "on", requireArtifactType: f.get("requireArtifactType") || null }))}>
          <div><label className="label" htmlFor="r-reg">Registry</label><select id="r-reg" name="registryId" className="input"><option value="">any</option>{registries.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}</select></div>
          <div><label className="label" htmlFor="r-repo">Repository glob</label><input id="r-repo" name="repositoryGlob" className="input w-36 font-mono" defaultValue="*" /></div>
          <div><label className="label" htmlFor="r-tag">Tag glob</label><input id="r-tag" name="tagGlob" className="input w-28 font-mono" placeholder="v*.*.*" required /></div>
          <div><label className="label" htmlFor="r-role">Minimum role</label><select id="r-role" name="minRole" className="input" defaultValue="OPERATOR">{ROLES.filter((r) => r !== "VIEWER").map((r) => <option key={r} value={r}>{r.toLowerCase()}</option>)}</select></div>
          <label className="flex items-center gap-1 pb-2 text-sm"><input type="checkbox" name="immutable" /> immutable</label>
          <label className="flex items-center gap-1 pb-2 text-sm" title="a cosign signature verified by one of the signing keys (Settings → Signing keys)"><input type="checkbox" name="requireSignature" /> signed only</label>
          <div><label className="label" htmlFor="r-art">Requires referrer type</label><input id="r-art" name="requireArtifactType" className="input w-48 font-mono" placeholder="application/spdx+json" /></div>
          <div className="flex-1"><label className="label" htmlFor="r-reason">Reason</label><input id="r-reason" name="reason" className="input" placeholder="production releases" /></div>
          <button className="btn-primary" type="submit">Add rule</button>
        </form>
        <ErrorMessage error={p.addRule.error ?? p.removeRule.error} />
      </section>
    </div>
  );
}

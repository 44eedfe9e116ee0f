"use client";
import { Time } from "@/components/time";
import Link from "next/link";
import { useState } from "react";
import { CopyButton } from "@/components/copy-button";
import { ErrorMessage } from "@/components/error-message";
import { formatBytes, shortDigest } from "@/components/format";
import { SizeBars } from "@/components/size-bars";
import { useManifest } from "@/components/hooks/use-manifest";
import { TagActions } from "@/components/tag-actions";
import { ReferrersCard, WhereElseCard } from "@/components/manifest-related";

export function ManifestView({ registryId, repository, reference, pullBase, canPromote }: { registryId: string; repository: string; reference: string; pullBase: string; canPromote: boolean }) {
  const m = useManifest(registryId, repository, reference);
  const [raw, setRaw] = useState(false);
  if (m.isPending) return <p className="text-sm text-slate-500">Loading manifest…</p>;
  if (!m.data) return <ErrorMessage error={m.error} query={m} />;
  const d = m.data;
  const link = (ref: string) => `/registries/${registryId}/manifest?repository=${encodeURIComponent(repository)}&reference=${encodeURIComponent(ref)}`;
  const cfg = d.config?.config;
  const total = (d.layers ?? []).reduce((s, l) => s + l.size, 0);
  return (
    <div className="space-y-4">
      <ErrorMessage error={m.error} query={m} />
      <TagActions registryId={registryId} repository={repository} reference={reference} digest={d.digest} canPromote={canPromote} />
      <div className="card grid gap-3 p-4 text-sm sm:grid-cols-2">
        <div><div className="label">Digest</div><code data-testid="digest" className="break-all font-mono text-xs">{d.digest}</code> <CopyButton text={d.digest} /></div>
        {!reference.startsWith("sha256:") && (
          <div><div className="label">Pull</div><code className="break-all font-mono text-xs" data-testid="pull-tag">docker pull {pullBase}:{reference}</code> <CopyButton text={`docker pull ${pullBase}:${reference}`} /></div>
        )}
        <div><div className="label">Pull by digest</div><code className="break-all font-mono text-xs">{pullBase}@{d.digest}</code> <CopyButton text={`${pullBase}@${d.digest}`} /></div>
        <div><div className="label">Kind</div><span data-testid="kind">{d.kind}</span> <span className="break-all text-xs text-slate-600">{d.mediaType}</span></div>
        <div><div className="label">Size</div>{d.kind === "index" ? `${formatBytes(d.size)} (index)` : `${formatBytes(total)} compressed, ${d.layers?.length ?? 0} layers`}</div>
        {d.config?.created && <div><div className="label">Created</div><Time at={d.config.created} /></div>}
        {d.config?.os && <div><div className="label">Platform</div>{d.config.os}/{d.config.architecture}</div>}
      </div>
      {d.children && (
        <section className="card overflow-x-auto">
          <h2 className="border-b border-slate-100 px-4 py-2 text-sm font-medium">Platforms</h2>
          <table className="w-full text-left text-sm" data-testid="children"><tbody className="divide-y divide-slate-100">
            {d.children.map((c) => (
              <tr key={c.digest}>
                <td className="px-4 py-1.5">{c.platform ? `${c.platform.os}/${c.platform.architecture}${c.platform.variant ? `/${c.platform.variant}` : ""}` : c.annotations?.["vnd.docker.reference.type"] ?? "–"}</td>
                <td className="px-4 py-1.5 font-mono text-xs"><Link className="text-sky-800 hover:underline" href={link(c.digest)}>{shortDigest(c.digest)}</Link></td>
                <td className="px-4 py-1.5 text-right text-xs text-slate-600" data-testid="child-size" title={`image: config + layers, compressed; the manifest itself is ${c.size} B`}>{c.imageSize !== undefined ? formatBytes(c.imageSize) : "–"}</td>
              </tr>
            ))}
          </tbody></table>
        </section>
      )}
      <WhereElseCard registryId={registryId} repository={repository} whereElse={d.whereElse} />
      <ReferrersCard registryId={registryId} repository={repository} referrers={d.referrers} error={d.referrersError} />
      {cfg && (
        <section className="card overflow-x-auto p-4 text-sm">
          <h2 className="mb-2 font-medium">Config</h2>
          <dl className="grid grid-cols-[8rem_1fr] gap-x-4 gap-y-1">
            {cfg.Entrypoint && <><dt className="text-slate-500">Entrypoint</dt><dd className="break-all font-mono text-xs">{JSON.stringify(cfg.Entrypoint)}</dd></>}
            {cfg.Cmd && <><dt className="text-slate-500">Cmd</dt><dd className="break-all font-mono text-xs">{JSON.stringify(cfg.Cmd)}</dd></>}
            {cfg.WorkingDir && <><dt className="text-slate-500">Working dir</dt><dd className="break-all font-mono text-xs">{cfg.WorkingDir}</dd></>}
            {cfg.Env?.length ? <><dt className="text-slate-500">Env</dt><dd className="break-all font-mono text-xs">{cfg.Env.map((e) => <div key={e}>{e}</div>)}</dd></> : null}
            {cfg.Labels && Object.keys(cfg.Labels).length ? <><dt className="text-slate-500">Labels</dt><dd className="break-all font-mono text-xs">{Object.entries(cfg.Labels).map(([k, v]) => <div key={k}>{k}={v}</div>)}</dd></> : null}
          </dl>
          {d.config?.history?.length ? (
            <details className="mt-3"><summary className="cursor-pointer text-slate-600">History ({d.config.history.length})</summary>
              <ol className="mt-2 space-y-1 font-mono text-xs">{d.config.history.map((h, i) => <li key={i}>{h.created_by ?? "–"}</li>)}</ol>
            </details>
          ) : null}
        </section>
      )}
      {d.layers && d.layers.length > 0 && (
        <section className="card overflow-x-auto">
          <h2 className="border-b border-slate-100 px-4 py-2 text-sm font-medium">Layers <span className="text-xs font-normal text-slate-500">{d.layers.length} · {formatBytes(total)} compressed, bottom layer first</span></h2>
          <SizeBars
            caption={`Compressed size of each of the ${d.layers.length} layers`}
            testId="layers"
            items={d.layers.map((l, i) => ({ key: `${l.digest}-${i}`, label: `${i + 1}. ${shortDigest(l.digest)}`, size: l.size, title: `${l.digest} · ${l.mediaType}` }))}
          />
        </section>
      )}
      <section className="card p-4">
        <button className="btn-secondary py-1" onClick={() => setRaw(!raw)}>{raw ? "Hide" : "Show"} raw manifest</button>
        {raw && <pre className="mt-3 max-h-96 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100">{JSON.stringify(JSON.parse(d.raw), null, 2)}</pre>}
      </section>
    </div>
  );
}

"use client";
// The compare page: one reference against another (any registries). The references live in the
// URL (?from=&to=), so a comparison can be linked and survives a reload.
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ErrorMessage } from "@/components/error-message";
import { formatBytes, shortDigest } from "@/components/format";
import { useDiff } from "@/components/hooks/use-diff";
import { formatDiffReference, splitDiffReference, type DiffAnswer, type LayerRef } from "@/lib/schemas/diff";

interface RegistryName { id: string; name: string }

export function CompareView({ from, to, registries }: { from: string; to: string; registries: RegistryName[] }) {
  const router = useRouter();
  const diff = useDiff(from, to);
  const go = (f: string, t: string) => router.replace(`/compare?${new URLSearchParams({ from: f, to: t })}`);
  const name = (id: string) => registries.find((r) => r.id === id)?.name ?? id;
  const label = (s: string) => {
    const r = splitDiffReference(s);
    return r ? `${name(r.registryId)}/${r.repository}:${r.reference.startsWith("sha256:") ? shortDigest(r.reference) : r.reference}` : s;
  };
  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold">Compare</h1>
      <div className="grid gap-3 md:grid-cols-2">
        <ReferencePicker key={`from-${from}`} legend="From" value={from} registries={registries} onPick={(v) => go(v, to)} />
        <ReferencePicker key={`to-${to}`} legend="To" value={to} registries={registries} onPick={(v) => go(from, v)} autoFocus={!!from && !to} />
      </div>
      {from && to && (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="break-all font-mono text-xs">{label(from)}</span>
          <span className="text-slate-400">→</span>
          <span className="break-all font-mono text-xs">{label(to)}</span>
          <button className="btn-secondary ml-auto" onClick={() => go(to, from)}>Swap</button>
        </div>
      )}
      {diff.isLoading && <p className="text-sm text-slate-500">Reading both manifests…</p>}
      <ErrorMessage error={diff.error} query={diff} />
      {diff.data && <DiffResult d={diff.data} />}
    </div>
  );
}

function ReferencePicker({ legend, value, registries, onPick, autoFocus }: { legend: string; value: string; registries: RegistryName[]; onPick: (v: string) => void; autoFocus?: boolean }) {
  const parsed = splitDiffReference(value);
  const [registryId, setRegistryId] = useState(parsed?.registryId ?? registries[0]?.id ?? "");
  const [repository, setRepository] = useState(parsed?.repository ?? "");
  const [reference, setReference] = useState(parsed?.reference ?? "");
  const id = legend.toLowerCase();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onPick(formatDiffReference({ registryId, repository: repository.trim(), reference: reference.trim() }));
  };
  return (
    <form className="card space-y-2 p-3" onSubmit={submit} aria-label={legend} data-testid={`pick-${id}`}>
      <div className="text-sm font-medium">{legend}</div>
      <div>
        <label className="label" htmlFor={`${id}-registry`}>Registry</label>
        <select id={`${id}-registry`} className="input" value={registryId} onChange={(e) => setRegistryId(e.target.value)}>
          {registries.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
        </select>
      </div>
      <div className="grid grid-cols-[1fr_8rem] gap-2">
        <div><label className="label" htmlFor={`${id}-repository`}>Repository</label><input id={`${id}-repository`} className="input" value={repository} onChange={(e) => setRepository(e.target.value)} placeholder="acme/api" required autoFocus={autoFocus} /></div>
        <div><label className="label" htmlFor={`${id}-reference`}>Tag or digest</label><input id={`${id}-reference`} className="input" value={reference} onChange={(e) => setReference(e.target.value)} placeholder="1.4.2" required /></div>
      </div>
      <button className="btn-secondary" type="submit">Use</button>
    </form>
  );
}

export function DiffResult({ d }: { d: DiffAnswer }) {
  const delta = d.size.to - d.size.from;
  const nothing = !d.config.changed.length && !d.layers.added.length && !d.layers.removed.length && !d.platforms.added.length && !d.platforms.removed.length;
  return (
    <div className="space-y-4" data-testid="diff">
      <div className="card grid grid-cols-2 gap-2 p-3 text-sm sm:grid-cols-4">
        <Stat label="Size" value={`${formatBytes(d.size.from)} → ${formatBytes(d.size.to)}`} sub={delta ? `${delta > 0 ? "+" : "−"}${formatBytes(Math.abs(delta))}` : "same"} />
        <Stat label="Layers added" value={String(d.layers.added.length)} sub={formatBytes(sum(d.layers.added))} />
        <Stat label="Layers removed" value={String(d.layers.removed.length)} sub={formatBytes(sum(d.layers.removed))} />
        <Stat label="Layers shared" value={String(d.layers.shared.length)} sub={formatBytes(sum(d.layers.shared))} />
      </div>
      {nothing && <p className="text-sm text-emerald-800" data-testid="no-changes">No differences: same configuration, layers and platforms{d.from.digest === d.to.digest ? " (the same digest)" : ""}.</p>}
      {(d.platforms.added.length > 0 || d.platforms.removed.length > 0) && (
        <section className="card p-3 text-sm" data-testid="diff-platforms">
          <h2 className="mb-1 font-medium">Platforms</h2>
          <ul className="flex flex-wrap gap-1">
            {d.platforms.added.map((p) => <li key={`+${p}`} className="rounded bg-emerald-100 px-2 py-0.5 text-emerald-900">+ {p}</li>)}
            {d.platforms.removed.map((p) => <li key={`-${p}`} className="rounded bg-red-100 px-2 py-0.5 text-red-900">− {p}</li>)}
          </ul>
        </section>
      )}
      {d.config.changed.length > 0 && (
        <section className="card overflow-hidden text-sm" data-testid="diff-config">
          <h2 className="px-3 pt-3 font-medium">Configuration</h2>
          <ul className="divide-y divide-slate-100">
            {d.config.changed.map((c) => (
              <li key={`${c.platform ?? ""}${c.key}`} className="grid gap-1 px-3 py-2 sm:grid-cols-[12rem_1fr_1fr]">
                <span className="font-mono text-xs font-medium">{c.key}{c.platform && <span className="ml-1 text-slate-500">[{c.platform}]</span>}</span>
                <span className="break-all font-mono text-xs text-red-800"><span aria-label="from">− </span>{c.from ?? <em className="text-slate-400">unset</em>}</span>
                <span className="break-all font-mono text-xs text-emerald-800"><span aria-label="to">+ </span>{c.to ?? <em className="text-slate-400">unset</em>}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <Layers title="Layers added" rows={d.layers.added} sign="+" testId="diff-added" />
      <Layers title="Layers removed" rows={d.layers.removed} sign="−" testId="diff-removed" />
      {d.history.added.length > 0 && (
        <section className="card p-3 text-sm" data-testid="diff-history">
          <h2 className="mb-1 font-medium">History lines added</h2>
          <ol className="space-y-1">{d.history.added.map((h, i) => <li key={i} className="break-all font-mono text-xs">{h.line}{h.platform && <span className="ml-1 text-slate-500">[{h.platform}]</span>}</li>)}</ol>
        </section>
      )}
    </div>
  );
}

function Layers({ title, rows, sign, testId }: { title: string; rows: LayerRef[]; sign: string; testId: string }) {
  if (!rows.length) return null;
  return (
    <section className="card overflow-hidden text-sm" data-testid={testId}>
      <h2 className="px-3 pt-3 font-medium">{title}</h2>
      <ul className="divide-y divide-slate-100">
        {rows.map((l, i) => (
          <li key={`${l.platform ?? ""}${l.digest}${i}`} className="flex flex-wrap items-baseline gap-x-3 gap-y-0.5 px-3 py-2">
            <span className="font-mono text-xs">{sign} {shortDigest(l.digest)}</span>
            <span className="text-xs text-slate-600">{formatBytes(l.size)}</span>
            {l.platform && <span className="text-xs text-slate-500">{l.platform}</span>}
            {l.createdBy && <span className="w-full break-all font-mono text-xs text-slate-500">{l.createdBy}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Stat({ label, value, sub }: { label: string; value: string; sub: string }) {
  return (
    <div>
      <div className="text-xs text-slate-500">{label}</div>
      <div className="font-medium">{value}</div>
      <div className="text-xs text-slate-500">{sub}</div>
    </div>
  );
}

const sum = (ls: LayerRef[]) => ls.reduce((s, l) => s + l.size, 0);

"use client";
import { useState } from "react";
import { KINDS, type RegistryView } from "@/lib/schemas/registry";
import { ErrorMessage } from "@/components/error-message";
import { RegistryForm, type RegistryFormValue } from "@/components/registry-form";
import { RegistryTestButton } from "@/components/registry-test-button";
import { WebhookPanel } from "@/components/webhook-panel";
import { useRegistries, useRegistryMutations } from "@/components/hooks/use-registries";
import { ConfirmButton } from "./confirm-button";

export function RegistriesSettings({ initial, startAdding }: { initial: RegistryView[]; startAdding: boolean }) {
  const { data: registries = [] } = useRegistries(initial);
  const m = useRegistryMutations();
  const [mode, setMode] = useState<{ kind: "add" } | { kind: "edit"; r: RegistryView } | null>(startAdding ? { kind: "add" } : null);
  const [webhookFor, setWebhookFor] = useState<RegistryView | null>(null);

  function save(v: RegistryFormValue) {
    if (mode?.kind === "edit") {
      const { kind: _kind, ...rest } = v;
      m.update.mutate({ id: mode.r.id, body: rest }, { onSuccess: () => setMode(null) });
    } else {
      m.create.mutate(v, { onSuccess: () => setMode(null) });
    }
  }

  const active = mode?.kind === "edit" ? m.update : m.create;
  return (
    <div className="space-y-4">
      <div className="flex items-center justify-between">
        <h1 className="text-lg font-semibold">Registries</h1>
        {!mode && <button className="btn-primary" onClick={() => { m.create.reset(); setMode({ kind: "add" }); }}>Add registry</button>}
      </div>
      {mode && (
        <RegistryForm
          key={mode.kind === "edit" ? mode.r.id : "add"}
          editing={mode.kind === "edit" ? mode.r : undefined}
          error={active.error}
          pending={active.isPending}
          onSubmit={save}
          onCancel={() => setMode(null)}
        />
      )}
      {webhookFor && <WebhookPanel key={webhookFor.id} registry={webhookFor} onClose={() => setWebhookFor(null)} />}
      <ErrorMessage error={m.remove.error} />
      <div className="card">{/* not overflow-hidden: the Test result pops over the rows below */}
        <table className="w-full text-left text-sm" data-testid="registries-table">
          <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr><th className="px-4 py-2">Name</th><th className="hidden px-4 py-2 sm:table-cell">Kind</th><th className="hidden px-4 py-2 md:table-cell">Endpoint</th><th className="hidden px-4 py-2 lg:table-cell">Credentials</th><th className="px-4 py-2" /></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {registries.length === 0 && (
              <tr><td colSpan={5} className="px-4 py-6 text-center text-slate-500">No registry yet. Add one to start browsing.</td></tr>
            )}
            {registries.map((r) => (
              <tr key={r.id}>
                <td className="px-4 py-2 font-medium">{r.name}</td>
                <td className="hidden px-4 py-2 text-slate-600 sm:table-cell">{KINDS[r.kind].label}{r.publishPolicy === "FORBID" && <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700" title="Promoting a private or unknown-visibility image into a public repository of this registry is forbidden" data-testid="publish-forbidden">no publishing</span>}</td>
                <td className="hidden break-all px-4 py-2 font-mono text-xs md:table-cell">{r.endpoint}{r.namespace ? ` · ${r.namespace}` : ""}</td>
                <td className="hidden px-4 py-2 text-xs text-slate-600 lg:table-cell">{r.credentialPreview ?? "anonymous"}</td>
                <td className="px-4 py-2 text-right [&>*]:mb-1 [&>*]:ml-2 sm:whitespace-nowrap">
                  <RegistryTestButton id={r.id} />
                  <button className="btn-secondary py-1" onClick={() => setWebhookFor(r)}>Webhook</button>
                  <button className="btn-secondary py-1" onClick={() => { m.update.reset(); setMode({ kind: "edit", r }); }}>Edit</button>
                  <ConfirmButton question={`Remove ${r.name}? Its stored credentials are deleted; the registry itself is not touched.`} onConfirm={() => m.remove.mutate(r.id)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

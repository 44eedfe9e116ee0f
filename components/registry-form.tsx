"use client";
import { useState } from "react";
import { CONCURRENCY_DEFAULT, CONCURRENCY_MAX, KINDS, REGISTRY_KINDS, type PublishPolicy, type RegistryKind, type RegistryView } from "@/lib/schemas/registry";
import { ErrorMessage } from "@/components/error-message";
import { fieldError } from "@/components/field-error";

export interface RegistryFormValue {
  name: string;
  kind: RegistryKind;
  endpoint?: string;
  apiEndpoint?: string | null;
  namespace?: string;
  insecure?: boolean;
  publishPolicy?: PublishPolicy;
  concurrency?: number | null;
  credentials?: Record<string, string> | null;
}

export function RegistryForm(props: {
  editing?: RegistryView;
  error: unknown;
  pending: boolean;
  onSubmit: (v: RegistryFormValue) => void;
  onCancel: () => void;
}) {
  const { editing } = props;
  const [kind, setKind] = useState<RegistryKind>(editing?.kind ?? "GENERIC");
  const [replaceCreds, setReplaceCreds] = useState(!editing);
  // editing a registry with stored credentials: a new endpoint, API endpoint or plain http asks
  // for them again (the server refuses the move otherwise: credentials never follow a registry)
  const [moved, setMoved] = useState<string[]>([]);
  const info = KINDS[kind];
  const hasStored = !!editing?.credentialPreview;

  function watchMove(e: React.FormEvent<HTMLFormElement>) {
    if (!editing || !hasStored) return;
    const f = new FormData(e.currentTarget);
    const text = (k: string) => String(f.get(k) ?? "").trim().replace(/\/+$/, "");
    const api = (v: string | null | undefined) => v || info.defaultApiEndpoint || "";
    const now = [
      text("endpoint") !== editing.endpoint ? "endpoint" : "",
      info.apiEndpointLabel && api(text("apiEndpoint")) !== api(editing.apiEndpoint) ? info.apiEndpointLabel : "",
      f.get("insecure") === "on" && !editing.insecure ? "plain http" : "",
    ].filter(Boolean);
    setMoved(now);
    if (now.length) setReplaceCreds(true);
  }

  function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const text = (k: string) => String(f.get(k) ?? "").trim();
    const credentials = Object.fromEntries(info.fields.map((fl) => [fl.name, String(f.get(`cred.${fl.name}`) ?? "")]).filter(([, v]) => v !== ""));
    props.onSubmit({
      name: text("name"),
      kind,
      endpoint: text("endpoint") || undefined,
      ...(info.apiEndpointLabel ? { apiEndpoint: text("apiEndpoint") || (editing ? null : undefined) } : {}),
      namespace: text("namespace") || undefined,
      insecure: f.get("insecure") === "on",
      publishPolicy: (f.get("publishPolicy") as PublishPolicy | null) ?? undefined,
      // empty: the server's setting (null clears a value saved before)
      concurrency: text("concurrency") ? Number(text("concurrency")) : editing ? null : undefined,
      credentials: replaceCreds ? credentials : undefined,
    });
  }

  const err = (field: string) => {
    const m = fieldError(props.error, field);
    return m ? <p className="mt-1 text-xs text-red-700">{m}</p> : null;
  };

  return (
    <form onSubmit={submit} onChange={watchMove} className="card space-y-4 p-5" aria-label={editing ? "Edit registry" : "Add registry"}>
      <h2 className="font-medium">{editing ? `Edit ${editing.name}` : "Add a registry"}</h2>
      <div className="grid gap-4 sm:grid-cols-2">
        <div>
          <label className="label" htmlFor="kind">Kind</label>
          <select id="kind" className="input" value={kind} disabled={!!editing} onChange={(e) => setKind(e.target.value as RegistryKind)}>
            {REGISTRY_KINDS.map((k) => <option key={k} value={k}>{KINDS[k].label}</option>)}
          </select>
          {err("kind")}
        </div>
        <div>
          <label className="label" htmlFor="name">Name</label>
          <input id="name" name="name" className="input" defaultValue={editing?.name} placeholder="e.g. prod-ecr" required />
          {err("name")}
        </div>
        <div>
          <label className="label" htmlFor="endpoint">Endpoint</label>
          <input id="endpoint" name="endpoint" className="input font-mono" defaultValue={editing?.endpoint} placeholder={info.defaultEndpoint ?? info.discoveredEndpoint ?? "https://registry.example.com"} required={!info.defaultEndpoint && !info.discoveredEndpoint} />
          {err("endpoint")}
        </div>
        {info.apiEndpointLabel && (
          <div>
            <label className="label" htmlFor="apiEndpoint">{info.apiEndpointLabel} (optional)</label>
            <input id="apiEndpoint" name="apiEndpoint" className="input font-mono" defaultValue={editing?.apiEndpoint ?? ""} placeholder={info.defaultApiEndpoint ?? ""} />
            {err("apiEndpoint")}
          </div>
        )}
        {info.namespaceLabel && (
          <div>
            <label className="label" htmlFor="namespace">{info.namespaceLabel}</label>
            <input id="namespace" name="namespace" className="input" defaultValue={editing?.namespace ?? ""} />
            {err("namespace")}
          </div>
        )}
      </div>
      <p className="text-xs text-slate-500">{info.help}</p>
      {editing && !replaceCreds ? (
        <div className="flex items-center justify-between rounded-md bg-slate-50 px-3 py-2 text-sm">
          <span className="text-slate-600">Credentials: {editing.credentialPreview ?? "none (anonymous)"}{hasStored && <span className="block text-xs text-slate-500">Changing the endpoint{info.apiEndpointLabel ? `, ${info.apiEndpointLabel}` : ""} or allowing plain http asks for them again.</span>}</span>
          <button type="button" className="btn-secondary py-1" onClick={() => setReplaceCreds(true)}>Replace credentials</button>
        </div>
      ) : (
        <div className="space-y-3">
        {editing && hasStored && (
          <p className={`rounded-md px-3 py-2 text-sm ${moved.length ? "bg-amber-50 text-amber-900" : "bg-slate-50 text-slate-600"}`} data-testid="credentials-again" role={moved.length ? "status" : undefined}>
            {moved.length
              ? <>You changed the {moved.join(", ")}: enter the credentials again. Stored credentials are only sent where they were entered, never to a new address (left empty, they are removed).</>
              : <>What you enter here replaces the stored credentials.</>}
          </p>
        )}
        {err("credentials")}
        <div className="grid gap-4 sm:grid-cols-2">
          {info.fields.map((fl) => (
            <div key={fl.name} className={fl.multiline ? "sm:col-span-2" : ""}>
              <label className="label" htmlFor={`cred.${fl.name}`}>{fl.label}{fl.required ? "" : " (optional)"}</label>
              {fl.multiline ? (
                <textarea id={`cred.${fl.name}`} name={`cred.${fl.name}`} className="input h-28 font-mono text-xs" autoComplete="off" spellCheck={false} />
              ) : (
                <input id={`cred.${fl.name}`} name={`cred.${fl.name}`} type={fl.secret ? "password" : "text"} className="input" autoComplete={fl.secret ? "new-password" : "off"} />
              )}
              {fl.help && <p className="mt-1 text-xs text-slate-500">{fl.help}</p>}
              {err(`credentials.${fl.name}`)}
            </div>
          ))}
        </div>
        </div>
      )}
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" name="insecure" defaultChecked={editing?.insecure} /> Allow plain http token realms (for a registry on a private network)
      </label>
      <div>
        <label className="label" htmlFor="publishPolicy">Publishing into public repositories here</label>
        <select id="publishPolicy" name="publishPolicy" className="input" defaultValue={editing?.publishPolicy ?? "ALLOW_WITH_CONFIRMATION"}>
          <option value="ALLOW_WITH_CONFIRMATION">Allowed with confirmation (for people with the publishing grant)</option>
          <option value="FORBID">Forbidden (even for admins)</option>
        </select>
        <p className="mt-1 text-xs text-slate-500">Applies when a promotion would copy an image from a private or unknown-visibility repository into a public repository of this registry.</p>
        {err("publishPolicy")}
      </div>
      <div>
        <label className="label" htmlFor="concurrency">Requests in flight at once</label>
        <input id="concurrency" name="concurrency" type="number" min={1} max={CONCURRENCY_MAX} step={1} inputMode="numeric" className="input max-w-40" defaultValue={editing?.concurrency ?? ""} placeholder={`server's (${CONCURRENCY_DEFAULT})`} />
        <p className="mt-1 text-xs text-slate-500">How many requests Regatta sends this registry&apos;s host at once (1–{CONCURRENCY_MAX}): more fills a far registry&apos;s tag tables sooner, fewer spares a fragile one. Empty: the server&apos;s setting, <code>REGATTA_REGISTRY_CONCURRENCY</code> ({CONCURRENCY_DEFAULT} unless set).</p>
        {err("concurrency")}
      </div>
      <ErrorMessage error={props.error} />
      <div className="flex gap-2">
        <button className="btn-primary" type="submit" disabled={props.pending}>{props.pending ? "Saving…" : editing ? "Save" : "Add registry"}</button>
        <button className="btn-secondary" type="button" onClick={props.onCancel}>Cancel</button>
      </div>
    </form>
  );
}

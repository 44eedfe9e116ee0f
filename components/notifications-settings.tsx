"use client";
// Settings → Notifications: rules (event types, registry, repository glob, receiver), the signing
// secret shown once, a test button, and the delivery log with attempts and the last error.
import { Time } from "@/components/time";
import { useState } from "react";
import { NOTIFICATION_EVENTS, NOTIFICATION_EVENT_LABELS, type NotificationDeliveryView, type NotificationRuleView } from "@/lib/schemas/notification";
import { ErrorMessage } from "@/components/error-message";
import { useRegistries } from "@/components/hooks/use-registries";
import { useNotificationDeliveries, useNotificationMutations, useNotificationRules } from "@/components/hooks/use-notifications";

const EVENT_LABEL = NOTIFICATION_EVENT_LABELS;

const STATE_STYLE: Record<NotificationDeliveryView["state"], string> = {
  PENDING: "bg-slate-100 text-slate-700",
  RETRYING: "bg-amber-100 text-amber-900",
  DELIVERED: "bg-emerald-100 text-emerald-900",
  FAILED: "bg-red-100 text-red-900",
};

export function NotificationsSettings() {
  const { data: rules = [] } = useNotificationRules();
  const { data: deliveries = [] } = useNotificationDeliveries();
  const { data: registries = [] } = useRegistries();
  const m = useNotificationMutations();
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  const regName = (id: string | null) => (id ? registries.find((r) => r.id === id)?.name ?? id.slice(0, 8) : "any registry");

  function create(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const body = {
      name: String(f.get("name")),
      kind: String(f.get("kind")),
      url: String(f.get("url")),
      registryId: f.get("registryId") ? String(f.get("registryId")) : null,
      repositoryGlob: String(f.get("repositoryGlob") || "*"),
      events: f.getAll("events").map(String),
    };
    m.create.mutate(body, { onSuccess: (r) => { if (r.secret) setSecret({ name: r.rule.name, value: r.secret }); form.reset(); } });
  }
  const rotate = (r: NotificationRuleView) => m.update.mutate({ id: r.id, body: { rotateSecret: true } }, { onSuccess: (x) => x.secret && setSecret({ name: x.rule.name, value: x.secret }) });

  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold">Notifications</h1>
      <p className="text-sm text-slate-600">
        Post to a Slack-compatible incoming webhook or to your own endpoint when something happens. Generic webhooks are signed:
        <code className="mx-1 rounded bg-slate-100 px-1">X-Regatta-Signature: sha256=HMAC(secret, timestamp + &quot;.&quot; + body)</code>
        with <code className="rounded bg-slate-100 px-1">X-Regatta-Timestamp</code>; failed deliveries are retried with backoff.
      </p>
      <form onSubmit={create} className="card grid gap-3 p-4 sm:grid-cols-2 lg:grid-cols-3" aria-label="Create notification rule">
        <div><label className="label" htmlFor="n-name">Name</label><input id="n-name" name="name" className="input" placeholder="e.g. prod releases" required maxLength={80} /></div>
        <div><label className="label" htmlFor="n-kind">Receiver</label>
          <select id="n-kind" name="kind" className="input" defaultValue="SLACK"><option value="SLACK">Slack incoming webhook</option><option value="WEBHOOK">Generic webhook (signed JSON)</option></select></div>
        <div className="sm:col-span-2 lg:col-span-1"><label className="label" htmlFor="n-url">URL</label><input id="n-url" name="url" type="url" className="input" placeholder="https://hooks.slack.com/services/…" required maxLength={2048} /></div>
        <div><label className="label" htmlFor="n-reg">Registry</label>
          <select id="n-reg" name="registryId" className="input"><option value="">any</option>{registries.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}</select></div>
        <div><label className="label" htmlFor="n-glob">Repositories</label><input id="n-glob" name="repositoryGlob" className="input font-mono" placeholder="*  or  team/*" maxLength={255} /></div>
        <fieldset className="sm:col-span-2 lg:col-span-3">
          <legend className="label">Events</legend>
          <div className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
            {NOTIFICATION_EVENTS.map((e) => (
              <label key={e} className="flex items-center gap-1.5"><input type="checkbox" name="events" value={e} defaultChecked={e === "promotion.succeeded"} />{EVENT_LABEL[e]}</label>
            ))}
          </div>
        </fieldset>
        <div className="sm:col-span-2 lg:col-span-3"><button className="btn-primary" type="submit" disabled={m.create.isPending}>Add rule</button></div>
      </form>
      <ErrorMessage error={m.create.error ?? m.update.error ?? m.remove.error ?? m.test.error} />
      {secret && (
        <div className="card border-emerald-300 bg-emerald-50 p-4" role="status">
          <p className="text-sm font-medium text-emerald-900">Signing secret for “{secret.name}”: copy it now, it is shown only once.</p>
          <div className="mt-2 flex flex-wrap gap-2">
            <code data-testid="new-secret" className="min-w-0 flex-1 overflow-x-auto rounded bg-white px-2 py-1.5 font-mono text-xs">{secret.value}</code>
            <button className="btn-secondary py-1" onClick={() => navigator.clipboard?.writeText(secret.value)}>Copy</button>
            <button className="btn-secondary py-1" onClick={() => setSecret(null)}>Done</button>
          </div>
        </div>
      )}
      <div className="card overflow-x-auto">
        <table className="w-full text-left text-sm" aria-label="Notification rules">
          <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr><th className="px-4 py-2">Name</th><th className="px-4 py-2">Receiver</th><th className="hidden px-4 py-2 md:table-cell">When</th><th className="hidden px-4 py-2 md:table-cell">Where</th><th className="px-4 py-2" /></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rules.length === 0 && <tr><td colSpan={5} className="px-4 py-6 text-center text-slate-500">No notification rules.</td></tr>}
            {rules.map((r) => (
              <tr key={r.id} className={r.enabled ? "" : "opacity-60"}>
                <td className="px-4 py-2 font-medium">
                  {r.name}{!r.enabled && <span className="ml-1 text-xs text-slate-500">(paused)</span>}
                  {/* on a phone the When and Where columns fold in here */}
                  <div className="mt-1 text-xs font-normal text-slate-600 md:hidden">{r.events.map((e) => EVENT_LABEL[e] ?? e).join(", ")} · {regName(r.registryId)} · <span className="font-mono">{r.repositoryGlob}</span></div>
                </td>
                <td className="px-4 py-2 text-xs"><div>{r.kind === "SLACK" ? "Slack" : "Webhook"}</div><div className="font-mono text-slate-500 break-all">{r.urlPreview}</div></td>
                <td className="hidden px-4 py-2 text-xs md:table-cell">{r.events.map((e) => EVENT_LABEL[e] ?? e).join(", ")}</td>
                <td className="hidden px-4 py-2 text-xs md:table-cell">{regName(r.registryId)} · <span className="font-mono">{r.repositoryGlob}</span></td>
                <td className="px-4 py-2 text-right">
                  <div className="flex flex-wrap justify-end gap-1">
                    <button className="btn-secondary py-1" onClick={() => m.test.mutate(r.id)} aria-label={`Send a test to ${r.name}`}>Test</button>
                    <button className="btn-secondary py-1" onClick={() => m.update.mutate({ id: r.id, body: { enabled: !r.enabled } })}>{r.enabled ? "Pause" : "Resume"}</button>
                    {r.kind === "WEBHOOK" && <button className="btn-secondary py-1" onClick={() => rotate(r)}>New secret</button>}
                    <button className="btn-danger py-1" onClick={() => m.remove.mutate(r.id)} aria-label={`Delete ${r.name}`}>Delete</button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section aria-label="Delivery log" className="space-y-2">
        <h2 className="text-base font-semibold">Delivery log</h2>
        <div className="card overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr><th className="hidden px-4 py-2 sm:table-cell">When</th><th className="hidden px-4 py-2 sm:table-cell">Rule</th><th className="px-4 py-2">Event</th><th className="px-4 py-2">State</th><th className="hidden px-4 py-2 sm:table-cell">Attempts</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {deliveries.length === 0 && <tr><td colSpan={5} className="px-4 py-6 text-center text-slate-500">Nothing sent yet.</td></tr>}
              {deliveries.map((d) => (
                <tr key={d.id}>
                  <td className="hidden px-4 py-2 text-xs whitespace-nowrap sm:table-cell"><Time at={d.createdAt} /></td>
                  <td className="hidden px-4 py-2 text-xs sm:table-cell">{d.ruleName}</td>
                  <td className="px-4 py-2 text-xs"><div className="font-mono">{d.event}</div><div className="text-slate-500">{d.summary}</div>
                    <div className="mt-1 text-slate-500 sm:hidden">{d.ruleName} · <Time at={d.createdAt} /></div></td>
                  <td className="px-4 py-2 text-xs">
                    <span data-testid="delivery-state" className={`rounded px-1.5 py-0.5 font-medium ${STATE_STYLE[d.state]}`}>{d.state.toLowerCase()}</span>
                    {d.lastError && <div className="mt-1 text-red-700 break-all">{d.lastError}</div>}
                    <div className="mt-1 text-slate-500 sm:hidden">{d.attempts} attempt{d.attempts === 1 ? "" : "s"}{d.lastStatus ? ` · HTTP ${d.lastStatus}` : ""}</div>
                  </td>
                  <td className="hidden px-4 py-2 text-xs sm:table-cell">{d.attempts}{d.lastStatus ? ` · HTTP ${d.lastStatus}` : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

"use client";
// The webhook of one registry: make a secret (shown once) and the exact snippet to paste on the
// registry's side, per kind.
import { useMutation } from "@tanstack/react-query";
import { api } from "@/components/api";
import { CopyButton } from "@/components/copy-button";
import { ErrorBanner } from "@/components/field-error";
import type { RegistryView } from "@/lib/schemas/registry";

interface WebhookAnswer { url: string; secret: string; deliveryUrl?: string; kind: string; source: string | null }

const HOW: Record<string, string> = {
  GENERIC: "Add this to the registry's config.yml (registry:2 / CNCF distribution) and restart it. Header values must be YAML lists, or the registry does not start.",
  GITLAB: "Self-managed GitLab only (GitLab.com sends no registry events): add this to /etc/gitlab/gitlab.rb and run gitlab-ctl reconfigure.",
  GHCR: "In GitHub: the organisation's (or repository's) Settings → Webhooks → Add webhook. GitHub signs each delivery with the secret (X-Hub-Signature-256). It sends no delete events for container versions.",
  DOCKERHUB: "In Docker Hub: the repository → Webhooks → add one with this URL. Docker Hub sends pushes only, signs nothing and sends no headers, so the secret is part of the URL.",
  HARBOR: "In Harbor: the project → Webhooks → New webhook.",
  QUAY: "In Quay: the repository → Settings → Events and notifications → Create notification. Quay's webhook sends no headers, so the secret is part of the URL; it names neither the pusher nor the digest.",
};

export function webhookSnippet(kind: string, a: WebhookAnswer): string {
  switch (kind) {
    case "GENERIC":
      return [
        "notifications:",
        "  endpoints:",
        "    - name: regatta",
        `      url: ${a.url}`,
        "      headers:",
        `        Authorization: [ "Bearer ${a.secret}" ]`,
        "      timeout: 5s",
        "      threshold: 5",
        "      backoff: 10s",
        "      ignoredmediatypes:",
        "        - application/octet-stream",
      ].join("\n");
    case "GITLAB":
      return [
        "registry['notifications'] = [",
        "  {",
        "    'name' => 'regatta',",
        `    'url' => '${a.url}',`,
        "    'timeout' => '5s',",
        "    'threshold' => 5,",
        "    'backoff' => '10s',",
        `    'headers' => { 'Authorization' => ['Bearer ${a.secret}'] }`,
        "  }",
        "]",
      ].join("\n");
    case "GHCR":
      return [
        `Payload URL:   ${a.url}`,
        "Content type:  application/json",
        `Secret:        ${a.secret}`,
        "Events:        Let me select individual events → Packages (package)",
        "               (or Registry packages, registry_package, the older event)",
      ].join("\n");
    case "DOCKERHUB":
      return [`Webhook name:  regatta`, `Webhook URL:   ${a.deliveryUrl ?? a.url}`].join("\n");
    case "HARBOR":
      return [
        "Name:          regatta",
        "Notify type:   http",
        "Event type:    Artifact pushed, Artifact deleted",
        "Payload format: Default",
        `Endpoint URL:  ${a.url}`,
        `Auth header:   Bearer ${a.secret}`,
      ].join("\n");
    case "QUAY":
      return [
        "When this event occurs:        Push to Repository",
        "Then issue a notification:     Webhook POST",
        `Webhook URL:                   ${a.deliveryUrl ?? a.url}`,
      ].join("\n");
    default:
      return "";
  }
}

export function WebhookPanel({ registry, onClose }: { registry: RegistryView; onClose: () => void }) {
  const make = useMutation({ mutationFn: () => api<WebhookAnswer>(`/registries/${registry.id}/webhook`, { method: "POST" }) });
  const supported = registry.kind in HOW;
  const a = make.data;
  const snippet = a ? webhookSnippet(registry.kind, a) : "";
  return (
    <section className="card space-y-3 p-4" data-testid="webhook-panel" aria-label={`Webhook of ${registry.name}`}>
      <div className="flex items-center justify-between">
        <h2 className="font-semibold">Webhook · {registry.name}</h2>
        <button className="btn-secondary py-1" onClick={onClose}>Close</button>
      </div>
      {!supported ? (
        <p className="text-sm text-slate-600">
          {registry.kind === "ECR_PUBLIC" ? "Amazon ECR Public sends no webhooks" : `${registry.kind === "ECR" ? "Amazon ECR" : "Google Artifact Registry"} sends its events to its own cloud (EventBridge / Pub/Sub), not to webhooks`}:
          Regatta records what it does itself and what it sees when it reads tags.
        </p>
      ) : (
        <>
          <p className="text-sm text-slate-600">
            The registry tells Regatta about every push and delete; each becomes an audit event with who did it, and the tag&apos;s history moves.
            {" "}{HOW[registry.kind]}
          </p>
          {!a && (
            <button className="btn-primary" onClick={() => make.mutate()} disabled={make.isPending}>
              {make.isPending ? "Making a secret…" : "Make a webhook secret"}
            </button>
          )}
          <p className="text-xs text-slate-500">Making a secret replaces the previous one: deliveries with the old secret are refused (401) and recorded.</p>
          <ErrorBanner error={make.error} />
          {a && (
            <div className="space-y-2">
              <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
                The secret is shown only now. Regatta keeps its hash; copy it into the registry&apos;s settings.
              </p>
              <dl className="grid grid-cols-[7rem_1fr] gap-x-3 gap-y-1 text-sm">
                <dt className="text-slate-500">URL</dt>
                <dd className="font-mono text-xs break-all" data-testid="webhook-url">{a.url} <CopyButton text={a.url} /></dd>
                <dt className="text-slate-500">Secret</dt>
                <dd className="font-mono text-xs break-all" data-testid="webhook-secret">{a.secret} <CopyButton text={a.secret} /></dd>
              </dl>
              <div className="relative">
                <pre className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100" data-testid="webhook-snippet">{snippet}</pre>
                <span className="absolute right-2 top-2 rounded bg-white"><CopyButton text={snippet} label="Copy snippet" /></span>
              </div>
            </div>
          )}
        </>
      )}
    </section>
  );
}

"use client";
// The webhook of one registry: make a secret (shown once) and the exact snippet to paste on the
// registry's side, per kind.
import { CopyButton } from "@/components/copy-button";
import { ErrorMessage } from "@/components/error-message";
import { useMakeWebhook, type WebhookAnswer } from "@/components/hooks/use-webhook";
import type { RegistryView } from "@/lib/schemas/registry";


const HOW: Record<string, string> = {
  GENERIC: "Add this to the registry's config.yml (registry:2 / CNCF distribution) and restart it. Header values must be YAML lists, or the registry does not start.",
  GITLAB: "Self-managed GitLab only: add this to /etc/gitlab/gitlab.rb and run gitlab-ctl reconfigure.",
  GHCR: "In GitHub: the organisation's (or repository's) Settings → Webhooks → Add webhook. GitHub signs each delivery with the secret (X-Hub-Signature-256). It sends no delete events for container versions; its ping is recorded as a webhook test.",
  DOCKERHUB: "In Docker Hub: the repository → Webhooks → add one with this URL. Docker Hub sends pushes only, signs nothing and sends no headers, so the secret is part of the URL.",
  HARBOR: "In Harbor: the project → Webhooks → New webhook. Both payload formats are read (Default and CloudEvents). A delete removes the artifact with every tag on it; pushes by digest (platform manifests of a multi-arch push) move no tag.",
  QUAY: "In Quay: the repository → Settings → Events and notifications → Create notification. Quay's webhook sends no headers, so the secret is part of the URL; it names neither the pusher nor the digest. Its \u201cTest Notification\u201d is recorded as a webhook test, not a push.",
  ECR: "Amazon ECR sends its events to EventBridge: a rule on \u201cECR Image Action\u201d events forwards them to Regatta through an API destination, whose connection sends the secret in the Authorization header. ECR events name no pusher: the actor shows as unknown.",
  GOOGLE: "Artifact Registry publishes every push and delete of the project to the Pub/Sub topic gcr; a push subscription delivers them to Regatta. Pub/Sub signs each push with an OIDC token whose audience is the secret (or, without OIDC, the secret is part of the URL). Messages name no pusher: the actor shows as unknown.",
};

/** gitlab.com (registry.gitlab.com) sends no registry events; self-managed GitLab can. */
export function isGitLabCom(endpoint: string): boolean {
  try {
    return /(^|\.)gitlab\.com$/i.test(new URL(endpoint).hostname);
  } catch {
    return false;
  }
}

function ecrWhere(endpoint: string): { account: string; region: string } {
  try {
    const m = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com/.exec(new URL(endpoint).hostname);
    if (m) return { account: m[1]!, region: m[2]! };
  } catch { /* below */ }
  return { account: "ACCOUNT_ID", region: "REGION" };
}

export interface Snippet { title?: string; text: string }

/** What to configure on the registry's side, per kind: one or more blocks to copy. */
export function webhookSnippets(registry: Pick<RegistryView, "kind" | "endpoint" | "namespace">, a: WebhookAnswer): Snippet[] {
  switch (registry.kind) {
    case "ECR": {
      const { account, region } = ecrWhere(registry.endpoint);
      return [
        {
          title: "AWS CLI",
          text: [
            `# 1. The connection: EventBridge sends the secret as an API-key header`,
            `aws events create-connection --region ${region} --name regatta \\`,
            `  --authorization-type API_KEY \\`,
            `  --auth-parameters '{"ApiKeyAuthParameters":{"ApiKeyName":"Authorization","ApiKeyValue":"Bearer ${a.secret}"}}'`,
            ``,
            `# 2. The API destination (use the ConnectionArn printed by step 1)`,
            `aws events create-api-destination --region ${region} --name regatta \\`,
            `  --connection-arn CONNECTION_ARN \\`,
            `  --invocation-endpoint ${a.url} \\`,
            `  --http-method POST --invocation-rate-limit-per-second 10`,
            ``,
            `# 3. A role EventBridge may use to call it`,
            `aws iam create-role --role-name regatta-eventbridge \\`,
            `  --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole"}]}'`,
            `aws iam put-role-policy --role-name regatta-eventbridge --policy-name invoke-regatta \\`,
            `  --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:InvokeApiDestination","Resource":"API_DESTINATION_ARN"}]}'`,
            ``,
            `# 4. The rule on ECR's push and delete events, and its target`,
            `aws events put-rule --region ${region} --name regatta-ecr \\`,
            `  --event-pattern '{"source":["aws.ecr"],"detail-type":["ECR Image Action"],"detail":{"result":["SUCCESS"]}}'`,
            `aws events put-targets --region ${region} --rule regatta-ecr \\`,
            `  --targets 'Id=regatta,Arn=API_DESTINATION_ARN,RoleArn=arn:aws:iam::${account}:role/regatta-eventbridge'`,
          ].join("\n"),
        },
        {
          title: "AWS console",
          text: [
            `EventBridge → Integration → Connections → Create connection`,
            `  Name: regatta · Authorization type: API Key`,
            `  API key name: Authorization · Value: Bearer ${a.secret}`,
            `  (or Basic: any username, password ${a.secret})`,
            `EventBridge → Integration → API destinations → Create API destination`,
            `  Name: regatta · Endpoint: ${a.url}`,
            `  HTTP method: POST · Connection: regatta`,
            `EventBridge → Rules → Create rule (default event bus, ${region})`,
            `  Event source: AWS events · Event pattern: AWS services → Elastic Container Registry (ECR) → ECR Image Action`,
            `  Target: EventBridge API destination → regatta · Execution role: create a new role`,
          ].join("\n"),
        },
      ];
    }
    case "GOOGLE": {
      const project = registry.namespace?.split("/").filter(Boolean)[0] || "PROJECT_ID";
      return [
        {
          title: "gcloud (OIDC-authenticated push)",
          text: [
            `# the topic Artifact Registry publishes to (it usually exists already)`,
            `gcloud pubsub topics create gcr --project=${project}`,
            `# a service account Pub/Sub signs the pushes as`,
            `gcloud iam service-accounts create regatta-push --project=${project}`,
            `gcloud pubsub subscriptions create regatta --project=${project} --topic=gcr \\`,
            `  --push-endpoint=${a.url} \\`,
            `  --push-auth-service-account=regatta-push@${project}.iam.gserviceaccount.com \\`,
            `  --push-auth-token-audience=${a.secret}`,
          ].join("\n"),
        },
        {
          title: "gcloud (without OIDC: the secret in the URL)",
          text: [
            `gcloud pubsub subscriptions create regatta --project=${project} --topic=gcr \\`,
            `  --push-endpoint='${a.deliveryUrl ?? a.url}'`,
          ].join("\n"),
        },
      ];
    }
    default:
      return [{ text: webhookSnippet(registry.kind, a) }];
  }
}

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
        "Payload format: Default (CloudEvents works too)",
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

const POLLING =
  "Regatta reads this registry's tags on its sync schedule (every 15 minutes by default, REGATTA_SYNC_INTERVAL_MINUTES) and on \u201cSync now\u201d: a tag that moved shows up with the time Regatta saw it, without who pushed it.";

export function WebhookPanel({ registry, onClose }: { registry: RegistryView; onClose: () => void }) {
  const make = useMakeWebhook(registry.id);
  const gitlabCom = registry.kind === "GITLAB" && isGitLabCom(registry.endpoint);
  const supported = registry.kind in HOW && !gitlabCom;
  const a = make.data;
  const snippets = a ? webhookSnippets(registry, a) : [];
  return (
    <section className="card min-w-0 space-y-3 p-4" data-testid="webhook-panel" aria-label={`Webhook of ${registry.name}`}>
      <div className="flex items-center justify-between gap-2">
        <h2 className="min-w-0 break-words font-semibold">Webhook · {registry.name}</h2>
        <button className="btn-secondary py-1" onClick={onClose}>Close</button>
      </div>
      {!supported ? (
        <div className="space-y-2 text-sm text-slate-600" data-testid="webhook-polling">
          <p>
            {gitlabCom
              ? "GitLab.com sends no container registry events (registry notifications exist only on self-managed GitLab), so there is no webhook to set up."
              : registry.kind === "ECR_PUBLIC"
                ? "Amazon ECR Public sends no events Regatta can receive, so there is no webhook to set up."
                : "This registry sends no events Regatta reads, so there is no webhook to set up."}
          </p>
          <p>{POLLING}</p>
        </div>
      ) : (
        <>
          <p className="text-sm text-slate-600">
            The registry tells Regatta about every push and delete; each becomes an audit event with who did it, and the tag&apos;s history moves.
            {" "}{HOW[registry.kind]}
          </p>
          {registry.kind === "GITLAB" && <p className="text-sm text-slate-600">{POLLING}</p>}
          {!a && (
            <button className="btn-primary" onClick={() => make.mutate()} disabled={make.isPending}>
              {make.isPending ? "Making a secret…" : "Make a webhook secret"}
            </button>
          )}
          <p className="text-xs text-slate-500">Making a secret replaces the previous one: deliveries with the old secret are refused (401) and recorded.</p>
          <ErrorMessage error={make.error} />
          {a && (
            <div className="space-y-2">
              <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
                The secret is shown only now. Regatta keeps its hash; copy it into the registry&apos;s settings.
              </p>
              <dl className="grid grid-cols-[4rem_minmax(0,1fr)] gap-x-3 gap-y-1 text-sm sm:grid-cols-[7rem_minmax(0,1fr)]">
                <dt className="text-slate-500">URL</dt>
                <dd className="font-mono text-xs break-all" data-testid="webhook-url">{a.url} <CopyButton text={a.url} /></dd>
                <dt className="text-slate-500">Secret</dt>
                <dd className="font-mono text-xs break-all" data-testid="webhook-secret">{a.secret} <CopyButton text={a.secret} /></dd>
              </dl>
              {snippets.map((sn, i) => (
                <div key={i} className="min-w-0 space-y-1">
                  <div className="flex items-center justify-between gap-2">
                    <h3 className="text-sm font-medium text-slate-700">{sn.title ?? "Configuration"}</h3>
                    <CopyButton text={sn.text} label="Copy snippet" />
                  </div>
                  <pre className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100" data-testid="webhook-snippet" data-title={sn.title ?? ""}>{sn.text}</pre>
                </div>
              ))}
            </div>
          )}
        </>
      )}
    </section>
  );
}

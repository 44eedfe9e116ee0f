// GitHub webhooks for GHCR: events "package" and legacy "registry_package", actions published/updated.
// package.package_version: { id, name (the digest), container_metadata: { tag: { name, digest }, tags? } }; sender.login pushed.
// GitHub sends no delete events for container versions.
import { WebhookPayloadError, digestOrNull, isObj, str, timeOf, type ParsedDelivery, type WebhookEvent } from "./types";

export function parseGitHub(body: unknown, eventName: string | null, deliveryId: string | null): ParsedDelivery {
  if (!isObj(body)) throw new WebhookPayloadError("expected a GitHub webhook payload (a JSON object)");
  if (eventName === "ping") return { events: [], ignored: 1 };
  const pkg = isObj(body.package) ? body.package : isObj(body.registry_package) ? body.registry_package : null;
  if (!pkg) {
    if (eventName === "package" || eventName === "registry_package") throw new WebhookPayloadError("GitHub package event without package");
    return { events: [], ignored: 1 };
  }
  const action = str(body.action);
  const type = str(pkg.package_type)?.toLowerCase();
  if ((action !== "published" && action !== "updated") || (type && type !== "container" && type !== "docker")) return { events: [], ignored: 1 };
  const version = isObj(pkg.package_version) ? pkg.package_version : null;
  if (!version) throw new WebhookPayloadError("GitHub package event without package.package_version");
  const owner = isObj(pkg.owner) ? str(pkg.owner.login) : null;
  const namespace = str(pkg.namespace) ?? owner;
  const name = str(pkg.name);
  if (!name) throw new WebhookPayloadError("GitHub package event without package.name");
  const repository = (namespace ? `${namespace}/${name}` : name).toLowerCase();
  const meta = isObj(version.container_metadata) ? version.container_metadata : null;
  const tagObj = meta && isObj(meta.tag) ? meta.tag : null;
  const digest = digestOrNull(tagObj?.digest) ?? digestOrNull(version.name) ?? digestOrNull(version.version);
  const tags = new Set<string>();
  if (tagObj && str(tagObj.name)) tags.add(tagObj.name as string);
  if (meta && Array.isArray(meta.tags)) for (const t of meta.tags) if (str(t)) tags.add(t as string);
  const actor = isObj(body.sender) ? str(body.sender.login) : null;
  const at = timeOf(version.updated_at) ?? timeOf(version.created_at) ?? timeOf(pkg.updated_at);
  const versionId = version.id !== undefined ? String(version.id) : null;
  // GitHub repeats X-GitHub-Delivery on a redelivery; the version id + tag identify the push itself
  const idFor = (tag: string | null) => (versionId ? `github-${versionId}:${tag ?? ""}:${action}` : deliveryId ? `github-${deliveryId}:${tag ?? ""}` : null);
  const list: (string | null)[] = tags.size ? [...tags] : [null];
  const events: WebhookEvent[] = list.map((tag) => ({ id: idFor(tag), action: "push", repository, tag, digest, actor: actor ?? "unknown", at, source: "github" }));
  return { events, ignored: 0 };
}

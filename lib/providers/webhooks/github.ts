// GitHub webhooks for GHCR: events "package" and legacy "registry_package", actions published/updated.
// package.package_version: { id, name (the digest), container_metadata: { tag: { name, digest }, tags? } }; sender.login pushed.
// GitHub sends no delete events for container versions.
// Facts from octokit/webhooks payload-examples/api.github.com/package/published.docker.payload.json (GitHub's own
// example): `package.namespace` can be "owner/repo" (the linked repository), so the owner comes from
// package.owner.login (then organization.login); `package_version.created_at`/`updated_at` can be Go's zero time
// 0001-01-01T00:00:00Z, which is never a push time (timeOf drops it).
import { WebhookPayloadError, digestOrNull, isObj, str, timeOf, type ParsedDelivery, type WebhookEvent } from "./types";

export function parseGitHub(body: unknown, eventName: string | null, deliveryId: string | null): ParsedDelivery {
  if (!isObj(body)) throw new WebhookPayloadError("expected a GitHub webhook payload (a JSON object)");
  if (eventName === "ping") return { events: [], ignored: 1, test: { what: "GitHub ping" } };
  const pkg = isObj(body.package) ? body.package : isObj(body.registry_package) ? body.registry_package : null;
  if (!pkg) {
    if (eventName === "package" || eventName === "registry_package") throw new WebhookPayloadError("GitHub package event without package");
    return { events: [], ignored: 1 };
  }
  const action = str(body.action);
  if (action !== "published" && action !== "updated") return { events: [], ignored: 1 };
  // container packages: package_type CONTAINER (ghcr.io) or DOCKER (the old docker.pkg.github.com); GitHub's own example
  // says package_type "npm" with ecosystem "docker" for a container, so either field saying so is enough
  const kinds = [str(pkg.package_type), str(pkg.ecosystem)].filter((k): k is string => !!k).map((k) => k.toLowerCase());
  if (kinds.length > 0 && !kinds.some((k) => k === "container" || k === "docker")) return { events: [], ignored: 1 };
  const version = isObj(pkg.package_version) ? pkg.package_version : null;
  if (!version) throw new WebhookPayloadError("GitHub package event without package.package_version");
  const namespace = (isObj(pkg.owner) ? str(pkg.owner.login) : null)
    ?? (isObj(body.organization) ? str(body.organization.login) : null)
    ?? str(pkg.namespace)?.split("/")[0] ?? null;
  const name = str(pkg.name);
  if (!name) throw new WebhookPayloadError("GitHub package event without package.name");
  const repository = (namespace ? `${namespace}/${name}` : name).toLowerCase();
  const meta = isObj(version.container_metadata) ? version.container_metadata : null;
  const tagObj = meta && isObj(meta.tag) ? meta.tag : null;
  const digest = digestOrNull(tagObj?.digest) ?? digestOrNull(version.name) ?? digestOrNull(version.version);
  const tags = new Set<string>();
  if (tagObj && str(tagObj.name)) tags.add(tagObj.name as string);
  if (meta && Array.isArray(meta.tags)) for (const t of meta.tags) if (str(t)) tags.add(t as string);
  if (tags.size === 0) return { events: [], ignored: 1 }; // a version pushed by digest only (an index child, an attestation) moves no tag
  const actor = isObj(body.sender) ? str(body.sender.login) : null;
  const at = timeOf(version.updated_at) ?? timeOf(version.created_at) ?? timeOf(pkg.updated_at);
  const versionId = version.id !== undefined ? String(version.id) : null;
  // GitHub repeats X-GitHub-Delivery on a redelivery; the version id + tag identify the push itself
  const idFor = (tag: string | null) => (versionId ? `github-${versionId}:${tag ?? ""}:${action}` : deliveryId ? `github-${deliveryId}:${tag ?? ""}` : null);
  const events: WebhookEvent[] = [...tags].map((tag) => ({ id: idFor(tag), action: "push", repository, tag, digest, actor: actor ?? "unknown", at, source: "github" }));
  return { events, ignored: 0 };
}

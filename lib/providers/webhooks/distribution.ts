// CNCF distribution (registry:2) notifications, also what self-managed GitLab sends:
// { events: [{ id, timestamp, action, target: { mediaType, digest, size, repository, tag }, request: { addr }, actor: { name } }] }
import { MANIFEST_MEDIA_TYPES } from "./media-types";
// Sources: distribution docs/notifications.md (envelope, fields) and notifications/bridge.go (what each action carries):
// distribution 2.8 writes a manifest delete and a blob delete alike, { repository, digest } with no media type; the
// 2.0 notifier put the media type in both. A delete with a non-manifest media type is a blob (ignored); one without
// any is marked ambiguous and recorded only when Regatta knows the digest as a manifest (lib/services/webhooks.ts).
import { WebhookPayloadError, contentKey, digestOrNull, isObj, str, timeOf, type ParsedDelivery, type WebhookEvent } from "./types";

export function parseDistribution(body: unknown): ParsedDelivery {
  if (!isObj(body) || !Array.isArray(body.events)) throw new WebhookPayloadError("expected a registry notification envelope: { events: [...] }");
  const events: WebhookEvent[] = [];
  let ignored = 0;
  for (const e of body.events) {
    const target = isObj(e) && isObj(e.target) ? e.target : null;
    const action = isObj(e) ? str(e.action) : null;
    const repository = target ? str(target.repository) : null;
    if (!isObj(e) || !target || !repository || (action !== "push" && action !== "delete")) {
      ignored++; // pull (also every HEAD), mount, unknown
      continue;
    }
    const tag = str(target.tag);
    const mediaType = str(target.mediaType);
    // pushes of blobs, and manifests pushed by digest only (index children), are not tag events
    if (action === "push" && (!tag || !mediaType || !MANIFEST_MEDIA_TYPES.has(mediaType))) {
      ignored++;
      continue;
    }
    // registry 2.8 sends deletes as { repository, digest } for the manifest and { repository, tag } per removed tag
    if (action === "delete" && mediaType && !MANIFEST_MEDIA_TYPES.has(mediaType)) {
      ignored++;
      continue;
    }
    const actor = isObj(e.actor) ? str(e.actor.name) : null;
    const request = isObj(e.request) ? e.request : null;
    const addr = request ? str(request.addr) : null;
    const digest = digestOrNull(target.digest);
    const ambiguous = action === "delete" && !mediaType && !tag;
    if (action === "delete" && !tag && !digest) {
      ignored++;
      continue;
    }
    // every notification has an id; should one come without, its content (with its timestamp) stands for it
    const id = str(e.id) ?? contentKey("distribution", [action, repository, tag, target.digest, mediaType, e.timestamp, actor]);
    events.push({
      id,
      action,
      repository,
      tag,
      digest,
      actor: actor ?? "unknown",
      at: timeOf(e.timestamp),
      mediaType,
      size: typeof target.size === "number" ? target.size : null,
      clientAddress: addr ? addr.replace(/:\d+$/, "") : null,
      source: "distribution",
      ...(ambiguous ? { ambiguousDelete: true } : {}),
    });
  }
  return { events, ignored };
}

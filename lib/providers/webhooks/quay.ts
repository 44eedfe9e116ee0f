// Quay repository notifications, webhook method. Every event's payload is build_repository_event_data
// (quay/quay notifications/__init__.py): { repository: "ns/name", namespace, name, docker_url, homepage, …extra };
// for "repo_push" the extra is { updated_tags } (quay/quay notifications/notificationevent.py RepoPushEvent).
// Quay's published docs (docs/notifications: "Repository Push") show updated_tags as an object { tag: image id }
// with pushed_image_count/pruned_image_count, where the code sends a list: both are read.
// The "Test Notification" button sends RepoPushEvent.get_sample_data: the notification's own repository with
// updated_tags ["latest", "foo"] and pruned_image_count 3 — sample tags, not a push.
// Other events (build_*, vulnerability_found, repo_mirror_*) carry no updated_tags: answered 2xx and ignored
// (a 4xx makes Quay retry them). The payload names no actor, no digest, no time and no id.
import { contentKey, isObj, str, WebhookPayloadError, type ParsedDelivery, type WebhookContext } from "./types";

/** Quay retries from its queue within minutes; a replay inside this window is the same push. */
export const QUAY_DEDUPE_WINDOW_MS = 60 * 60_000;

export function parseQuay(body: unknown, ctx: WebhookContext = {}, now = Date.now()): ParsedDelivery {
  if (!isObj(body)) throw new WebhookPayloadError("expected a Quay notification payload: { repository, docker_url, … }");
  const raw = body.updated_tags;
  if (raw === undefined || raw === null) return { events: [], ignored: 1 }; // builds, scans, mirror events
  const list = Array.isArray(raw) ? raw : isObj(raw) ? Object.keys(raw) : null;
  if (!list) throw new WebhookPayloadError("Quay repo_push payload with updated_tags that is neither a list nor an object");
  const repository = str(body.repository) ?? (str(body.namespace) && str(body.name) ? `${body.namespace}/${body.name}` : null);
  if (!repository) throw new WebhookPayloadError("Quay payload without repository");
  const tags = [...new Set(list.map(str).filter((t): t is string => t !== null))];
  const namespace = ctx.namespace?.trim().replace(/\/+$/, "");
  const outside = !!namespace && !repository.startsWith(`${namespace}/`);
  const sample = tags.length === 2 && tags[0] === "latest" && tags[1] === "foo" && body.pruned_image_count === 3 && body.pushed_image_count === undefined;
  if (outside || sample) return { events: [], ignored: tags.length, test: { what: `Quay test notification for ${repository.slice(0, 255)}` } };
  // no id in the payload: its content within a window stands for it, so a retried delivery is not stored twice
  const window = Math.floor(now / QUAY_DEDUPE_WINDOW_MS);
  return {
    events: tags.map((tag) => ({
      id: contentKey("quay", [repository, tag, tags, body.docker_url ?? null, window]),
      action: "push" as const, repository, tag, digest: null, actor: "unknown", at: null, source: "quay" as const,
    })),
    ignored: 0,
  };
}

// Harbor 2.x project webhooks (HTTP target, "Auth Header" set to "Bearer <secret>"), both payload formats:
// - Default (goharbor/harbor src/pkg/notifier/formats/default.go), Content-Type application/json:
//   { type: PUSH_ARTIFACT|DELETE_ARTIFACT|PULL_ARTIFACT|…, occur_at (unix), operator,
//     event_data: { resources: [{ digest, tag, resource_url }], repository: { name, namespace, repo_full_name, repo_type } } }
// - CloudEvents, Harbor ≥ 2.8 (formats/cloudevents.go), Content-Type application/cloudevents+json:
//   { specversion: "1.0", id (a new uuid each time the payload is formatted), requestid, source, type: "harbor.artifact.pushed"|…,
//     time (RFC 3339), datacontenttype, data: <event_data above>, operator }
// What Harbor puts in a resource (src/controller/event/handler/webhook/artifact/artifact.go): one resource per
// artifact; `tag` is the artifact's FIRST tag, or the digest itself when it has none (a push by digest, e.g. every
// platform manifest of a multi-arch push); a DELETE_ARTIFACT removes the artifact with all of its tags.
import { WebhookPayloadError, contentKey, digestOrNull, isObj, str, timeOf, type Obj, type ParsedDelivery, type WebhookEvent } from "./types";

const DEFAULT_TYPES: Record<string, "push" | "delete"> = { PUSH_ARTIFACT: "push", DELETE_ARTIFACT: "delete" };
// CloudEvents type → the Default format's type (formats/cloudevents.go eventTypeMapping), so one event has one key in both formats
const CLOUDEVENT_TYPES: Record<string, string> = {
  "harbor.artifact.pushed": "PUSH_ARTIFACT", "harbor.artifact.deleted": "DELETE_ARTIFACT", "harbor.artifact.pulled": "PULL_ARTIFACT",
};

interface Normalised { type: string; occurAt: unknown; operator: string | null; data: Obj | null }

function normalise(body: unknown): Normalised {
  if (!isObj(body)) throw new WebhookPayloadError("expected a Harbor webhook payload: { type, occur_at, operator, event_data }");
  const type = str(body.type);
  if (!type) throw new WebhookPayloadError("expected a Harbor webhook payload: { type, occur_at, operator, event_data }");
  if (str(body.specversion)) {
    // CloudEvents: the time is RFC 3339 of occur_at (whole seconds), the operator an extension attribute
    const at = timeOf(body.time);
    return {
      type: CLOUDEVENT_TYPES[type] ?? type, occurAt: at ? Math.floor(at.getTime() / 1000) : null,
      operator: str(body.operator), data: isObj(body.data) ? body.data : null,
    };
  }
  return { type, occurAt: body.occur_at, operator: str(body.operator), data: isObj(body.event_data) ? body.event_data : null };
}

export function parseHarbor(body: unknown): ParsedDelivery {
  const n = normalise(body);
  const action = DEFAULT_TYPES[n.type];
  const repo = n.data && isObj(n.data.repository) ? n.data.repository : null;
  const resources = n.data && Array.isArray(n.data.resources) ? n.data.resources.filter(isObj) : [];
  if (!action) return { events: [], ignored: Math.max(1, resources.length) }; // PULL_ARTIFACT, SCANNING_*, QUOTA_*, TAG_RETENTION …
  const repository = repo ? str(repo.repo_full_name) ?? joinName(str(repo.namespace), str(repo.name)) : null;
  if (!repository) throw new WebhookPayloadError("Harbor payload without repository.repo_full_name");
  const events: WebhookEvent[] = [];
  let ignored = 0;
  for (const r of resources) {
    const digest = digestOrNull(r.digest);
    const named = str(r.tag);
    // the digest in `tag` (or any digest-shaped "tag": a tag cannot contain ':') means the artifact has no tag
    const tag = named && named !== r.digest && !named.includes(":") ? named : null;
    if (action === "push" && !tag) {
      ignored++; // a push by digest moves no tag
      continue;
    }
    // Harbor sends no event id (CloudEvents' id is new on every formatting): the content, with occur_at, is stable across retries
    const id = contentKey("harbor", [n.type, n.occurAt, repository, named, r.digest]);
    events.push({
      id, action, repository, tag, digest, actor: n.operator ?? "unknown", at: timeOf(n.occurAt), source: "harbor",
      ...(action === "delete" ? { wholeArtifact: true } : {}),
    });
  }
  return { events, ignored };
}

function joinName(ns: string | null, name: string | null) {
  if (!name) return null;
  return ns && !name.startsWith(`${ns}/`) ? `${ns}/${name}` : name;
}

// Harbor 2.x project webhooks (HTTP target, "Auth Header" set to "Bearer <secret>"):
// { type: PUSH_ARTIFACT|DELETE_ARTIFACT|…, occur_at (unix), operator,
//   event_data: { resources: [{ digest, tag, resource_url }], repository: { name, namespace, repo_full_name } } }
import { createHash } from "node:crypto";
import { WebhookPayloadError, digestOrNull, isObj, str, timeOf, type ParsedDelivery, type WebhookEvent } from "./types";

const ACTIONS: Record<string, "push" | "delete"> = { PUSH_ARTIFACT: "push", DELETE_ARTIFACT: "delete" };

export function parseHarbor(body: unknown): ParsedDelivery {
  if (!isObj(body) || !str(body.type)) throw new WebhookPayloadError("expected a Harbor webhook payload: { type, occur_at, operator, event_data }");
  const action = ACTIONS[body.type as string];
  const data = isObj(body.event_data) ? body.event_data : null;
  const repo = data && isObj(data.repository) ? data.repository : null;
  const resources = data && Array.isArray(data.resources) ? data.resources.filter(isObj) : [];
  if (!action) return { events: [], ignored: Math.max(1, resources.length) }; // PULL_ARTIFACT, SCANNING_*, QUOTA_* …
  const repository = repo ? str(repo.repo_full_name) ?? joinName(str(repo.namespace), str(repo.name)) : null;
  if (!repository) throw new WebhookPayloadError("Harbor payload without event_data.repository.repo_full_name");
  const events: WebhookEvent[] = resources.map((r) => {
    const tag = str(r.tag);
    const digest = digestOrNull(r.digest);
    // Harbor sends no event id: the content (with occur_at) is stable across its retries
    const id = createHash("sha256").update(JSON.stringify([body.type, body.occur_at, repository, tag, digest])).digest("hex").slice(0, 32);
    return { id: `harbor-${id}`, action, repository, tag, digest, actor: str(body.operator) ?? "unknown", at: timeOf(body.occur_at), source: "harbor" };
  });
  return { events, ignored: 0 };
}

function joinName(ns: string | null, name: string | null) {
  if (!name) return null;
  return ns && !name.startsWith(`${ns}/`) ? `${ns}/${name}` : name;
}

// Quay repository notifications, event "repo_push", webhook method:
// { repository: "ns/name", namespace, name, docker_url, homepage, updated_tags: [...] }
// The payload names no actor and no digest, and has no id or time to deduplicate by.
import { WebhookPayloadError, isObj, str, type ParsedDelivery } from "./types";

export function parseQuay(body: unknown): ParsedDelivery {
  if (!isObj(body) || !Array.isArray(body.updated_tags)) throw new WebhookPayloadError("expected a Quay repo_push payload: { repository, docker_url, updated_tags }");
  const repository = str(body.repository) ?? (str(body.namespace) && str(body.name) ? `${body.namespace}/${body.name}` : null);
  if (!repository) throw new WebhookPayloadError("Quay payload without repository");
  const tags = body.updated_tags.map(str).filter((t): t is string => t !== null);
  return {
    events: tags.map((tag) => ({ id: null, action: "push" as const, repository, tag, digest: null, actor: "unknown", at: null, source: "quay" as const })),
    ignored: 0,
  };
}

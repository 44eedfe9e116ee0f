// Docker Hub repository webhooks (push only, no signature, no headers: the secret travels in the URL):
// { push_data: { pushed_at (unix), pusher, tag }, repository: { repo_name, namespace, name } }
import { WebhookPayloadError, isObj, str, timeOf, type ParsedDelivery } from "./types";

export function parseDockerHub(body: unknown): ParsedDelivery {
  const push = isObj(body) && isObj(body.push_data) ? body.push_data : null;
  const repo = isObj(body) && isObj(body.repository) ? body.repository : null;
  if (!push || !repo) throw new WebhookPayloadError("expected a Docker Hub webhook payload: { push_data, repository }");
  const repository = str(repo.repo_name) ?? (str(repo.namespace) && str(repo.name) ? `${repo.namespace}/${repo.name}` : null);
  if (!repository) throw new WebhookPayloadError("Docker Hub payload without repository.repo_name");
  const tag = str(push.tag);
  const pusher = str(push.pusher);
  const at = timeOf(push.pushed_at);
  // no event id: pusher + tag + pushed_at identify one push (Hub sends no digest either)
  const id = at ? `dockerhub-${repository}:${tag ?? ""}@${at.getTime()}:${pusher ?? ""}` : null;
  return { events: [{ id, action: "push", repository, tag, digest: null, actor: pusher ?? "unknown", at, source: "dockerhub" }], ignored: 0 };
}

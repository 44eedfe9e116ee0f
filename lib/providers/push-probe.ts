import "server-only";
// Can these credentials push to a repository? Token services (Quay, Harbor) hand out a token with
// fewer actions than asked without saying so, so the answer is in the registry's reaction: open a
// blob upload (needs push: 202) and cancel it at once. Nothing is written.
import { PUSH_PULL, RegistryError, repositoryScope, type RegistryClient } from "@/lib/registry";
import { writeProbesAllowed } from "./probe-policy";

/** true: may push; false: refused (401/403); null: could not be told. */
export async function probePush(client: RegistryClient, repository: string): Promise<boolean | null> {
  if (!writeProbesAllowed()) return null;
  const url = new URL(`/v2/${repository}/blobs/uploads/`, client.endpoint);
  const scopes = [repositoryScope(repository, [...PUSH_PULL])];
  let res: Response;
  try {
    res = await client.transport.request({ method: "POST", url, what: `checking push to ${repository}`, scopes, retries: 0 });
  } catch (e) {
    if (!(e instanceof RegistryError)) throw e;
    return e.status === 401 || e.status === 403 || e.hasCode("DENIED") ? false : null;
  }
  await res.body?.cancel();
  if (res.status === 401 || res.status === 403) return false;
  if (res.status !== 202) return null;
  const location = res.headers.get("location");
  if (location) {
    try {
      const cancel = await client.transport.request({ method: "DELETE", url: new URL(location, url), what: "cancelling the push check", scopes, retries: 0 });
      await cancel.body?.cancel();
    } catch {
      // an upload session left open expires on its own (registry upload purging)
    }
  }
  return true;
}

import "server-only";
// A repository's visibility as its registry's vendor reports it: asked at most once per
// VISIBILITY_TTL_MS per repository and open connection (a changed registry opens a new one), with a
// time limit; a vendor that cannot be asked, or does not answer in time, makes it "unknown".
import type { RegistryProvider, RepositoryVisibility } from "@/lib/providers/types";

export const VISIBILITY_TTL_MS = 30_000;
const VISIBILITY_TIMEOUT_MS = 10_000;
/** repositories remembered per connection; the oldest go first */
const MAX_ENTRIES = 1_000;

const cache = new WeakMap<RegistryProvider, Map<string, { at: number; value: Promise<RepositoryVisibility> }>>();

export async function repositoryVisibility(provider: RegistryProvider, repository: string, now = Date.now()): Promise<RepositoryVisibility> {
  if (!provider.visibility) return { visibility: "unknown", basis: "this kind of registry does not report who may pull" };
  let entries = cache.get(provider);
  if (!entries) cache.set(provider, (entries = new Map()));
  const hit = entries.get(repository);
  if (hit && now - hit.at < VISIBILITY_TTL_MS) return hit.value;
  const value = ask(provider, repository);
  entries.delete(repository);
  entries.set(repository, { at: now, value });
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  // a failure is not remembered: the next plan asks again
  value.then((v) => { if (v.failed) entries.delete(repository); });
  return value;
}

async function ask(provider: RegistryProvider, repository: string): Promise<RepositoryVisibility & { failed?: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${VISIBILITY_TIMEOUT_MS / 1000} s`)), VISIBILITY_TIMEOUT_MS); });
  try {
    return await Promise.race([provider.visibility!(repository), timeout]);
  } catch (e) {
    // RegistryError messages name the call and the vendor's words, never a credential
    return { visibility: "unknown", basis: `the vendor could not be asked: ${(e as Error).message}`, failed: true };
  } finally {
    clearTimeout(timer);
  }
}

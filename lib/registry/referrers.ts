// Referrers (OCI distribution-spec 1.1 "Listing Referrers" and the "Referrers Tag Schema" fallback).
import { call, describeRef, type ClientCore } from "./core";
import { RegistryError } from "./errors";
import { nextLink } from "./link";
import { getManifest } from "./manifests";
import { OCI_INDEX } from "./media-types";
import { pages } from "./pages";
import { repositoryScope, validateDigest, validateRepository } from "./reference";
import { PULL } from "./scope";
import { manifestLinks, type Descriptor } from "./types";

/** The fallback tag for a subject: `<alg>-<hex>`, algorithm cut to 32 and hex to 64 characters (OCI-main). */
export function referrersTag(digest: string): string {
  const [algorithm = "", hex = ""] = digest.split(":");
  return `${algorithm.slice(0, 32)}-${hex.slice(0, 64)}`.replace(/[^a-zA-Z0-9_.-]/g, "-");
}

export async function referrers(core: ClientCore, repository: string, digest: string, artifactType?: string, signal?: AbortSignal): Promise<Descriptor[]> {
  validateRepository(repository);
  validateDigest(digest);
  const what = `listing referrers of ${describeRef(core, repository, digest)}`;
  const first = new URL(`/v2/${repository}/referrers/${digest}`, core.endpoint);
  if (artifactType) first.searchParams.set("artifactType", artifactType);
  const found: Descriptor[] = [];
  let filtered = true;
  let noApi = false;
  const fetch = async (url: URL) => {
    const res = await call(core, { method: "GET", url, what, scopes: [repositoryScope(repository, [...PULL])], headers: { accept: OCI_INDEX }, signal }, 200, 404, 405);
    // A registry with the API never answers 404 here (it returns an empty index), so 404 means "no API".
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {});
      noApi = url === first;
      return { items: [] };
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new RegistryError({ context: what, codes: ["MALFORMED"], status: 200, method: "GET", url, reason: "referrers answer is not JSON" });
    }
    if (!(res.headers.get("oci-filters-applied") ?? "").split(",").map((s) => s.trim()).includes("artifactType")) filtered = false;
    return { items: manifestLinks(body).manifests, next: nextLink(res.headers.get("link"), url), bytes: text.length };
  };
  for await (const items of pages({ what, first, origin: core.endpoint, fetch })) found.push(...items);
  if (noApi) return fromTagSchema(core, repository, digest, artifactType, signal);
  return artifactType && !filtered ? found.filter((d) => d.artifactType === artifactType) : found;
}

/**
 * GET of the `sha256-<hex>` tag. GitLab resolves that tag to the subject manifest itself
 * (oras-go#1396), so an answer that is the subject, or not an index, means "no referrers".
 */
async function fromTagSchema(core: ClientCore, repository: string, digest: string, artifactType: string | undefined, signal?: AbortSignal): Promise<Descriptor[]> {
  let index;
  try {
    index = await getManifest(core, repository, referrersTag(digest), signal);
  } catch (e) {
    if (e instanceof RegistryError && e.status === 404) return [];
    throw e;
  }
  if (index.digest === digest || index.mediaType !== OCI_INDEX) return [];
  const list = manifestLinks(index.json).manifests;
  return artifactType ? list.filter((d) => d.artifactType === artifactType) : list;
}

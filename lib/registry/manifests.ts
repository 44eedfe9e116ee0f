// Manifest calls (OCI distribution-spec "Pulling manifests", "Pushing Manifests", "Deleting Manifests").
import { call, describeRef, type ClientCore } from "./core";
import { algorithmOf, computeDigest } from "./digest";
import { RegistryError } from "./errors";
import { detectMediaType, isManifestMediaType, MANIFEST_ACCEPT, stripParameters } from "./media-types";
import { isDigest, repositoryScope, validateDigest, validateRepository, validateTag } from "./reference";
import { DELETE, PULL, PUSH_PULL } from "./scope";
import type { Manifest, ManifestHead, PutManifestResult } from "./types";

const ACCEPT = MANIFEST_ACCEPT.join(", ");

/** A manifest reference is a digest or a tag; anything else fails before a request is made. */
export function validateManifestReference(reference: string): string {
  return reference.includes(":") ? validateDigest(reference) : validateTag(reference);
}

function manifestPath(repository: string, reference: string): string {
  return `/v2/${repository}/manifests/${reference}`;
}

/** `scopes`: the token to ask for, pull on the repository by default (see headBlob). */
export async function headManifest(core: ClientCore, repository: string, reference: string, signal?: AbortSignal, scopes?: readonly string[]): Promise<ManifestHead | null> {
  validateRepository(repository);
  validateManifestReference(reference);
  const what = `checking manifest ${describeRef(core, repository, reference)}`;
  const res = await call(
    core,
    { method: "HEAD", url: manifestPath(repository, reference), what, scopes: scopes ?? [repositoryScope(repository, [...PULL])], headers: { accept: ACCEPT }, notFound: "MANIFEST_UNKNOWN", signal },
    200,
    404,
  );
  if (res.status === 404) return null;
  const digest = res.headers.get("docker-content-digest") ?? undefined;
  const length = Number(res.headers.get("content-length") ?? NaN);
  const mediaType = stripParameters(res.headers.get("content-type"));
  if (digest && isDigest(digest) && Number.isInteger(length) && length > 0 && isManifestMediaType(mediaType)) {
    if (isDigest(reference) && digest !== reference) {
      throw mismatch(what, res.status, "HEAD", core, repository, reference, `registry answered for ${digest}`);
    }
    return { digest, mediaType: mediaType!, size: length };
  }
  // Docker-Content-Digest is only a SHOULD in OCI 1.1: without it (or a usable type/size) read the manifest.
  const manifest = await getManifest(core, repository, reference, signal);
  return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size };
}

export async function getManifest(core: ClientCore, repository: string, reference: string, signal?: AbortSignal): Promise<Manifest> {
  validateRepository(repository);
  validateManifestReference(reference);
  const what = `reading manifest ${describeRef(core, repository, reference)}`;
  const res = await call(
    core,
    // The transport stops reading at the cap: a 256 MB or endless manifest costs at most maxManifestBytes.
    { method: "GET", url: manifestPath(repository, reference), what, scopes: [repositoryScope(repository, [...PULL])], headers: { accept: ACCEPT }, notFound: "MANIFEST_UNKNOWN", maxBytes: core.options.maxManifestBytes, signal },
    200,
  );
  const malformed = (reason: string) =>
    new RegistryError({ context: what, codes: ["MALFORMED"], status: res.status, method: "GET", url: new URL(manifestPath(repository, reference), core.endpoint), reason });
  const bytes = new Uint8Array(await res.arrayBuffer());

  // Hash the raw bytes: against the digest we asked for, and against what the registry claims.
  const header = res.headers.get("docker-content-digest");
  if (isDigest(reference)) {
    const actual = computeDigest(bytes, algorithmOf(reference));
    if (actual !== reference) throw mismatch(what, res.status, "GET", core, repository, reference, `content hashes to ${actual}`);
  }
  if (header) {
    if (!isDigest(header)) throw malformed(`Docker-Content-Digest ${JSON.stringify(header.slice(0, 80))} is not a digest`);
    const actual = computeDigest(bytes, algorithmOf(header));
    if (actual !== header) throw mismatch(what, res.status, "GET", core, repository, reference, `content hashes to ${actual} but Docker-Content-Digest says ${header}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw malformed("manifest is not valid JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw malformed("manifest is not a JSON object");
  const mediaType = detectMediaType(bytes, res.headers.get("content-type"));
  if (!mediaType) throw malformed("neither Content-Type nor the body tell the manifest's media type");
  const digest = isDigest(reference) ? reference : (header ?? computeDigest(bytes));
  return { digest, mediaType, size: bytes.byteLength, bytes, json };
}

export async function putManifest(core: ClientCore, repository: string, reference: string, bytes: Uint8Array, mediaType: string, signal?: AbortSignal): Promise<PutManifestResult> {
  validateRepository(repository);
  validateManifestReference(reference);
  const what = `writing manifest ${describeRef(core, repository, reference)}`;
  const digest = isDigest(reference) ? computeDigest(bytes, algorithmOf(reference)) : computeDigest(bytes);
  if (isDigest(reference) && digest !== reference) {
    throw mismatch(what, undefined, "PUT", core, repository, reference, `the bytes hash to ${digest}; nothing was sent`);
  }
  const res = await call(
    core,
    {
      method: "PUT",
      url: manifestPath(repository, reference),
      what,
      scopes: [repositoryScope(repository, [...PUSH_PULL])],
      // registry:2 picks its parser from Content-Type; a missing one means schema1 and MANIFEST_INVALID.
      headers: { "content-type": mediaType },
      body: bytes,
      signal,
    },
    200,
    201,
    202,
    204,
  );
  const stored = res.headers.get("docker-content-digest");
  if (stored && isDigest(stored) && stored !== computeDigest(bytes, algorithmOf(stored))) {
    throw mismatch(what, res.status, "PUT", core, repository, reference, `registry stored ${stored}, expected ${digest}`);
  }
  return { digest, subject: res.headers.get("oci-subject") ?? undefined };
}

/** By digest only: registry 2.8 answers 400 UNSUPPORTED to a tag, and a digest delete drops every tag on it. */
export async function deleteManifest(core: ClientCore, repository: string, digest: string, signal?: AbortSignal): Promise<void> {
  validateRepository(repository);
  validateDigest(digest);
  const what = `deleting manifest ${describeRef(core, repository, digest)}`;
  await call(
    core,
    { method: "DELETE", url: manifestPath(repository, digest), what, scopes: [repositoryScope(repository, [...DELETE])], notFound: "MANIFEST_UNKNOWN", signal },
    200,
    202,
    204,
  );
}

function mismatch(what: string, status: number | undefined, method: string, core: ClientCore, repository: string, reference: string, reason: string): RegistryError {
  return new RegistryError({
    context: what,
    codes: ["DIGEST_MISMATCH"],
    status,
    method,
    url: new URL(manifestPath(repository, reference), core.endpoint),
    reason,
  });
}

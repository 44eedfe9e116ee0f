// Blob calls (OCI distribution-spec "Pulling blobs", "Pushing blobs", "Mounting a blob").
import { BodyTooLarge, readBounded } from "@/lib/bounded-read";
import { call, describeRef, type ClientCore } from "./core";
import { algorithmOf, computeDigest, Digester } from "./digest";
import { RegistryError } from "./errors";
import { repositoryScope, validateDigest, validateRepository } from "./reference";
import { PULL, PUSH_PULL } from "./scope";
import type { BlobStream, MountResult } from "./types";

const OCTET_STREAM = "application/octet-stream";
/** a HEAD that found the blob, or was sent to where it is */
const EXISTS_OR_REDIRECT = [200, 301, 302, 303, 307, 308];

function blobPath(repository: string, digest: string): string {
  return `/v2/${repository}/blobs/${digest}`;
}

/**
 * Size of the blob, or null when absent. A redirect already means "exists" (presigned URLs refuse HEAD).
 * `scopes`: the token to ask for, pull on the repository by default; a copy asks for what its uploads
 * will need as well, so they reuse the HEADs' token instead of asking again.
 */
export async function headBlob(core: ClientCore, repository: string, digest: string, signal?: AbortSignal, scopes?: readonly string[]): Promise<number | null> {
  validateRepository(repository);
  validateDigest(digest);
  const what = `checking blob ${describeRef(core, repository, digest)}`;
  const res = await call(
    core,
    { method: "HEAD", url: blobPath(repository, digest), what, scopes: scopes ?? [repositoryScope(repository, [...PULL])], followRedirects: false, notFound: "BLOB_UNKNOWN", signal },
    ...EXISTS_OR_REDIRECT,
    404,
  );
  if (res.status === 404) return null;
  const length = res.headers.get("content-length");
  if (res.status === 200 && length !== null && /^\d+$/.test(length)) return Number(length);
  return rangeSize(core, repository, digest, what, signal);
}

/** GET of the first byte: Content-Range carries the total size (the body is not read). */
async function rangeSize(core: ClientCore, repository: string, digest: string, what: string, signal?: AbortSignal): Promise<number> {
  const res = await call(
    core,
    { method: "GET", url: blobPath(repository, digest), what, scopes: [repositoryScope(repository, [...PULL])], headers: { range: "bytes=0-0", "accept-encoding": "identity" }, streamResponse: true, followRedirects: true, notFound: "BLOB_UNKNOWN", signal },
    200,
    206,
  );
  await res.body?.cancel().catch(() => {});
  const total = /\/(\d+)\s*$/.exec(res.headers.get("content-range") ?? "")?.[1] ?? (res.status === 200 ? res.headers.get("content-length") : null);
  if (total === null || total === undefined || !/^\d+$/.test(total)) {
    throw new RegistryError({ context: what, codes: ["MALFORMED"], status: res.status, method: "GET", url: new URL(blobPath(repository, digest), core.endpoint), reason: "the registry reports no blob size" });
  }
  return Number(total);
}

/** Streams the blob (following redirects to storage without our Authorization) and checks its digest. */
export async function getBlob(core: ClientCore, repository: string, digest: string, signal?: AbortSignal): Promise<BlobStream> {
  validateRepository(repository);
  validateDigest(digest);
  const what = `reading blob ${describeRef(core, repository, digest)}`;
  const url = new URL(blobPath(repository, digest), core.endpoint);
  const res = await call(
    core,
    // identity: a CDN's Content-Encoding would be undone by fetch and break the digest.
    { method: "GET", url, what, scopes: [repositoryScope(repository, [...PULL])], headers: { "accept-encoding": "identity" }, streamResponse: true, followRedirects: true, notFound: "BLOB_UNKNOWN", signal },
    200,
  );
  const length = res.headers.get("content-length");
  const size = length !== null && /^\d+$/.test(length) ? Number(length) : -1;
  return { size, stream: verifyDigest(res.body ?? new ReadableStream({ start: (c) => c.close() }), digest, what, url) };
}

/** Configs are small JSON documents; larger ones are not read into memory. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/**
 * A small blob (an image config) in memory: at most its declared size (and `limit`), the read
 * stopping the moment the registry sends more, and the bytes checked against the digest.
 */
export async function readBlob(core: ClientCore, repository: string, digest: string, size: number, limit = MAX_CONFIG_BYTES, signal?: AbortSignal): Promise<Uint8Array> {
  const what = `reading blob ${describeRef(core, repository, digest)}`;
  const url = new URL(blobPath(repository, digest), core.endpoint);
  const tooLarge = (reason: string) => new RegistryError({ context: what, codes: ["MALFORMED"], method: "GET", url, reason });
  if (!Number.isSafeInteger(size) || size < 0) throw tooLarge(`the declared size ${size} is not a byte count`);
  if (size > limit) throw tooLarge(`the blob declares ${size} bytes, over the ${limit}-byte limit for reading it whole`);
  const blob = await getBlob(core, repository, digest, signal);
  if (blob.size > size) {
    await blob.stream.cancel().catch(() => {});
    throw tooLarge(`the registry sends ${blob.size} bytes for a blob of ${size}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = await readBounded(blob.stream, size);
  } catch (e) {
    if (e instanceof BodyTooLarge) throw tooLarge(`the registry sends more than the ${size} bytes the manifest declares; not read further`);
    throw e;
  }
  if (bytes.byteLength !== size) throw tooLarge(`the registry sent ${bytes.byteLength} bytes for a blob of ${size}`);
  return bytes;
}

function verifyDigest(body: ReadableStream<Uint8Array>, digest: string, what: string, url: URL): ReadableStream<Uint8Array> {
  const digester = new Digester(algorithmOf(digest));
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        controller.error(e);
        return;
      }
      if (!chunk.done) {
        digester.update(chunk.value);
        controller.enqueue(chunk.value);
        return;
      }
      const actual = digester.digest();
      if (actual === digest) controller.close();
      else controller.error(new RegistryError({ context: what, codes: ["DIGEST_MISMATCH"], method: "GET", url, reason: `${digester.bytes} bytes hash to ${actual}` }));
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** POST /v2/<name>/blobs/uploads/ opens a session; its Location (relative or absolute, query kept) is where the bytes go. */
export async function startUpload(core: ClientCore, repository: string, signal?: AbortSignal): Promise<URL> {
  validateRepository(repository);
  const what = `starting an upload to ${describeRef(core, repository)}`;
  const url = new URL(`/v2/${repository}/blobs/uploads/`, core.endpoint);
  const res = await call(core, { method: "POST", url, what, scopes: [repositoryScope(repository, [...PUSH_PULL])], signal }, 202);
  return uploadLocation(res, url, what, "POST");
}

/** POST ?mount=&from=: 201 mounted; 202 means not mounted and the answer is a fresh upload session. */
export async function mountBlob(core: ClientCore, target: string, digest: string, from: string, signal?: AbortSignal): Promise<{ result: MountResult; location?: URL }> {
  validateRepository(target);
  validateRepository(from);
  validateDigest(digest);
  const what = `mounting blob ${digest} from ${from} into ${describeRef(core, target)}`;
  const url = new URL(`/v2/${target}/blobs/uploads/`, core.endpoint);
  url.searchParams.set("mount", digest);
  url.searchParams.set("from", from);
  // The mount needs pull on the source as well (registry:2 appendAccessRecords): one multi-scope token.
  const scopes = [repositoryScope(target, [...PUSH_PULL]), repositoryScope(from, [...PULL])];
  const res = await call(core, { method: "POST", url, what, scopes, signal }, 201, 202);
  if (res.status === 201) return { result: "mounted" };
  return { result: "upload-started", location: uploadLocation(res, url, what, "POST") };
}

export interface UploadOptions {
  /** An open session (from a 202 mount) to use instead of POSTing a new one. */
  location?: URL | string;
  signal?: AbortSignal;
}

/**
 * Uploads a blob after its POST: bytes, or a stream of known size, as the body of the PUT ?digest=
 * that closes the session ("POST then PUT", the OCI distribution spec's monolithic push, which
 * containerd uses with every registry: one request per blob fewer than a PATCH); a stream of unknown
 * size in one streamed PATCH, or "chunked" mode in PATCHes of 16 MiB; then the PUT.
 * A stream still on its way (a promise: another registry's GET) is awaited beside the POST, so the
 * session is open when its first bytes come; whichever of the two fails, the other is let go.
 */
export async function uploadBlob(core: ClientCore, repository: string, digest: string, size: number, data: Uint8Array | ReadableStream<Uint8Array> | Promise<ReadableStream<Uint8Array>>, options: UploadOptions = {}): Promise<string> {
  validateRepository(repository);
  validateDigest(digest);
  const what = `uploading blob ${digest} to ${describeRef(core, repository)}`;
  if (data instanceof Uint8Array) {
    const actual = computeDigest(data, algorithmOf(digest));
    if (actual !== digest || data.byteLength !== size) {
      throw new RegistryError({ context: what, codes: ["DIGEST_MISMATCH"], method: "PUT", url: core.endpoint, reason: `the ${data.byteLength} bytes given hash to ${actual}; nothing was sent` });
    }
  }
  const opening = options.location ? Promise.resolve(new URL(options.location, core.endpoint)) : startUpload(core, repository, options.signal);
  const [opened, given] = await Promise.allSettled([opening, data]);
  const scopes = [repositoryScope(repository, [...PUSH_PULL])];
  if (given.status === "rejected") {
    // no bytes to send (the source's error is the one to tell): the session goes
    if (opened.status === "fulfilled") await cancelUpload(core, opened.value, scopes);
    throw given.reason;
  }
  data = given.value;
  if (opened.status === "rejected") {
    // Nobody will read the source now: let it close its connection.
    if (data instanceof ReadableStream && !data.locked) await data.cancel(opened.reason).catch(() => {});
    throw opened.reason;
  }
  let location = opened.value;
  try {
    let body: Uint8Array | ReadableStream<Uint8Array> | undefined;
    if (data instanceof Uint8Array || (core.options.uploadMode === "stream" && size >= 0)) body = data;
    else if (core.options.uploadMode === "chunked") location = await patchChunks(core, location, data, what, scopes, options.signal);
    else location = await patchStream(core, location, data, size, what, scopes, options.signal);
    // PUT <location>&digest=<digest> closes the session (monolithic when it carries the bytes).
    const length = body instanceof Uint8Array ? body.byteLength : body ? size : 0;
    const res = await call(
      core,
      { method: "PUT", url: withDigest(location, digest), what, scopes, headers: { "content-type": OCTET_STREAM, "content-length": String(length) }, body, signal: options.signal },
      201,
      204,
    );
    const stored = res.headers.get("docker-content-digest");
    if (stored && stored !== digest) {
      throw new RegistryError({ context: what, codes: ["DIGEST_MISMATCH"], status: res.status, method: "PUT", url: location, reason: `registry stored ${stored}` });
    }
    return digest;
  } catch (e) {
    await cancelUpload(core, location, scopes);
    throw e;
  }
}

/** A PATCH's answers: 202 by the spec; Amazon ECR answers 201 Created (aws/containers-roadmap#2831, jdx/mise#11376). */
const PATCH_OK = [202, 204, 201] as const;

async function patchStream(core: ClientCore, location: URL, data: ReadableStream<Uint8Array>, size: number, what: string, scopes: string[], signal?: AbortSignal): Promise<URL> {
  const headers: Record<string, string> = { "content-type": OCTET_STREAM };
  if (size >= 0) headers["content-length"] = String(size);
  const res = await call(core, { method: "PATCH", url: location, what, scopes, headers, body: data, signal }, ...PATCH_OK);
  return uploadLocation(res, location, what, "PATCH", location);
}

/** Chunks of at most uploadChunkSize with Content-Range; each chunk is plain bytes, so it can be retried. */
async function patchChunks(core: ClientCore, location: URL, data: ReadableStream<Uint8Array>, what: string, scopes: string[], signal?: AbortSignal): Promise<URL> {
  let offset = 0;
  for await (const chunk of chunked(data, core.options.uploadChunkSize)) {
    const headers = { "content-type": OCTET_STREAM, "content-range": `${offset}-${offset + chunk.byteLength - 1}` };
    const res = await call(core, { method: "PATCH", url: location, what, scopes, headers, body: chunk, signal }, ...PATCH_OK);
    location = uploadLocation(res, location, what, "PATCH", location);
    offset += chunk.byteLength;
  }
  return location;
}

async function* chunked(stream: ReadableStream<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let parts: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let rest = value;
      while (rest.byteLength > 0) {
        const take = Math.min(size - length, rest.byteLength);
        parts.push(rest.subarray(0, take));
        length += take;
        rest = rest.subarray(take);
        if (length === size) {
          yield Buffer.concat(parts);
          parts = [];
          length = 0;
        }
      }
    }
    if (length > 0) yield Buffer.concat(parts);
  } finally {
    reader.releaseLock();
  }
}

function uploadLocation(res: Response, base: URL, what: string, method: string, fallback?: URL): URL {
  const header = res.headers.get("location");
  if (header) return new URL(header, base);
  if (fallback) return fallback;
  throw new RegistryError({ context: what, codes: ["MALFORMED"], status: res.status, method, url: base, reason: "upload answer has no Location" });
}

/** Appends digest= to the exact Location, keeping its own query (it may carry session state). */
export function withDigest(location: URL, digest: string): URL {
  const href = location.href.replace(/#.*$/, "");
  return new URL(`${href}${location.search ? "&" : "?"}digest=${encodeURIComponent(digest)}`);
}

/** Best effort: a failed upload's session is dropped rather than left to expire. */
async function cancelUpload(core: ClientCore, location: URL, scopes: string[]): Promise<void> {
  try {
    const res = await core.transport.request({ method: "DELETE", url: location, what: "cancelling an upload", scopes, retries: 0, signal: AbortSignal.timeout(5_000) });
    await res.body?.cancel();
  } catch {
    // The registry expires abandoned sessions itself.
  }
}

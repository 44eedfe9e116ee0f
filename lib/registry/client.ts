// RegistryClient: one method per registry API call. Repository names, tags and digests are
// validated (reference.ts) before any request; every answer goes through checkResponse.
import * as blobs from "./blobs";
import type { ClientCore } from "./core";
import { errorFromResponse, RegistryError } from "./errors";
import * as listing from "./listing";
import * as manifests from "./manifests";
import { DOCKER_HUB_ALIASES, DOCKER_HUB_REGISTRY, InvalidReferenceError } from "./reference";
import { referrers } from "./referrers";
import { supplyChain, type SupplyChain } from "./signatures";
import { Transport, type TransportConfig, type TransportOptions } from "./transport";
import type { BlobStream, CatalogPage, Descriptor, Manifest, ManifestHead, MountResult, PageCursor, PingResult, PutManifestResult, TagsPage } from "./types";

export type RegistryClientOptions = Omit<TransportConfig, "endpoint"> & {
  /** Base URL of the registry, e.g. "http://127.0.0.1:5000" or "https://ghcr.io". */
  endpoint: string;
};

export function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new InvalidReferenceError("registry", `endpoint ${JSON.stringify(endpoint)} is invalid: must be an http(s) URL such as https://ghcr.io`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidReferenceError("registry", `endpoint protocol ${JSON.stringify(url.protocol)} is invalid: must be http: or https:`);
  }
  if (url.username || url.password) {
    throw new InvalidReferenceError("registry", "endpoint must not contain credentials: pass them as credentials");
  }
  // The v2 API lives at the root; docker.io and index.docker.io serve no registry API themselves.
  if (DOCKER_HUB_ALIASES.includes(url.hostname.toLowerCase()) && url.port === "") url.hostname = DOCKER_HUB_REGISTRY;
  return new URL(url.origin);
}

export class RegistryClient implements ClientCore {
  readonly endpoint: URL;
  readonly registry: string;
  readonly transport: Transport;
  readonly options: Readonly<TransportOptions>;
  /** Upload sessions opened by a mount that answered 202, keyed by repository@digest. */
  private readonly sessions = new Map<string, URL>();

  constructor(config: RegistryClientOptions) {
    this.endpoint = parseEndpoint(config.endpoint);
    this.registry = this.endpoint.host;
    this.transport = new Transport({ ...config, endpoint: this.endpoint });
    this.options = this.transport.options;
  }

  /** GET /v2/ with credentials: reachable, and accepted if it ends in 200. Failures are reported, not thrown. */
  async ping(signal?: AbortSignal): Promise<PingResult> {
    const url = new URL("/v2/", this.endpoint);
    try {
      const res = await this.transport.request({ method: "GET", url, what: `checking ${this.registry}`, scopes: [], signal });
      const authScheme = this.transport.authScheme ?? "none";
      if (res.ok) {
        await res.body?.cancel();
        return { ok: true, status: res.status, authScheme };
      }
      const err = await errorFromResponse(res, { what: `checking ${this.registry}`, method: "GET", url });
      return { ok: false, status: res.status, authScheme, message: err.message };
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      return { ok: false, status: e.status ?? 0, authScheme: this.transport.authScheme, message: e.message };
    }
  }

  /** One page of GET /v2/_catalog; pass the returned next back for the following page. */
  catalog(cursor: PageCursor = {}, signal?: AbortSignal): Promise<CatalogPage> {
    return listing.catalogPage(this, cursor, signal);
  }

  /** Every repository name, following Link. */
  listRepositories(options: { pageSize?: number; signal?: AbortSignal } = {}): AsyncGenerator<string> {
    return listing.listRepositories(this, options.pageSize, options.signal);
  }

  /** Every tag, following Link (relative or absolute, opaque last). */
  listTags(repository: string, options: { pageSize?: number; signal?: AbortSignal } = {}): Promise<string[]> {
    return listing.listTags(this, repository, options.pageSize, options.signal);
  }

  /** One page of tags for callers that page on their side. */
  tagsPage(repository: string, cursor: PageCursor = {}, signal?: AbortSignal): Promise<TagsPage> {
    return listing.tagsPage(this, repository, cursor, signal);
  }

  /** HEAD with every manifest type accepted; null when the tag or digest does not exist. `scopes`: as headBlob's. */
  headManifest(repository: string, reference: string, signal?: AbortSignal, scopes?: readonly string[]): Promise<ManifestHead | null> {
    return manifests.headManifest(this, repository, reference, signal, scopes);
  }

  /** The raw bytes, checked against Docker-Content-Digest and a requested digest. */
  getManifest(repository: string, reference: string, signal?: AbortSignal): Promise<Manifest> {
    return manifests.getManifest(this, repository, reference, signal);
  }

  /** PUT of exactly these bytes with Content-Type = mediaType; returns their digest. */
  async putManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string, signal?: AbortSignal): Promise<string> {
    return (await manifests.putManifest(this, repository, reference, bytes, mediaType, signal)).digest;
  }

  /** putManifest that also reports OCI-Subject (the registry keeps referrers for the subject itself). */
  putManifestDetailed(repository: string, reference: string, bytes: Uint8Array, mediaType: string, signal?: AbortSignal): Promise<PutManifestResult> {
    return manifests.putManifest(this, repository, reference, bytes, mediaType, signal);
  }

  deleteManifest(repository: string, digest: string, signal?: AbortSignal): Promise<void> {
    return manifests.deleteManifest(this, repository, digest, signal);
  }

  /** Blob size, or null when the repository does not have it; `scopes`: the token to ask for (pull by default). */
  headBlob(repository: string, digest: string, signal?: AbortSignal, scopes?: readonly string[]): Promise<number | null> {
    return blobs.headBlob(this, repository, digest, signal, scopes);
  }

  getBlob(repository: string, digest: string, signal?: AbortSignal): Promise<BlobStream> {
    return blobs.getBlob(this, repository, digest, signal);
  }

  /** A small blob (an image config) in memory, read no further than its declared size (and `limit`), digest checked. */
  readBlob(repository: string, digest: string, size: number, limit?: number, signal?: AbortSignal): Promise<Uint8Array> {
    return blobs.readBlob(this, repository, digest, size, limit, signal);
  }

  /**
   * Uploads a blob. Uses, in order: options.location, the session a 202 mount of this blob left
   * open, or a new POST.
   */
  uploadBlob(repository: string, digest: string, size: number, data: Uint8Array | ReadableStream<Uint8Array> | Promise<ReadableStream<Uint8Array>>, options: blobs.UploadOptions = {}): Promise<string> {
    const location = options.location ?? this.takeUploadSession(repository, digest);
    return blobs.uploadBlob(this, repository, digest, size, data, { ...options, location });
  }

  /**
   * Cross-repository mount. "upload-started" means the registry did not mount and opened an
   * upload session instead: uploadBlob(targetRepository, digest, ...) continues it (see uploadSession).
   */
  async mountBlob(targetRepository: string, digest: string, fromRepository: string, signal?: AbortSignal): Promise<MountResult> {
    const { result, location } = await blobs.mountBlob(this, targetRepository, digest, fromRepository, signal);
    if (location) this.sessions.set(`${targetRepository}@${digest}`, location);
    return result;
  }

  /** The upload session a 202 mount left open for this blob, if any (not consumed). */
  uploadSession(repository: string, digest: string): string | undefined {
    return this.sessions.get(`${repository}@${digest}`)?.href;
  }

  private takeUploadSession(repository: string, digest: string): URL | undefined {
    const key = `${repository}@${digest}`;
    const location = this.sessions.get(key);
    this.sessions.delete(key);
    return location;
  }

  /** Referrers of a digest; falls back to the `sha256-<hex>` tag when the API answers 404. */
  referrers(repository: string, digest: string, artifactType?: string, signal?: AbortSignal): Promise<Descriptor[]> {
    return referrers(this, repository, digest, artifactType, signal);
  }

  /** cosign signatures (signature tag and referrers, payloads read) and every referrer of a digest. */
  supplyChain(repository: string, digest: string, signal?: AbortSignal): Promise<SupplyChain> {
    return supplyChain(this, repository, digest, signal);
  }
}

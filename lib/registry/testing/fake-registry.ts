// Test helper: an in-memory registry that answers like distribution 2.8 (tags/list ignores n,
// no referrers API, 202 upload sessions with a Location that carries its own query).
import { afterEach } from "vitest";
import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import { sendError, startServer, type LoopbackServer, type RecordedRequest } from "./loopback";

export interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
}

export interface FakeRegistryOptions {
  /** Answer ?mount= with 201 when the source has the blob (default true); false always opens a session (202). */
  mount?: boolean;
  /** Runs first; return true when it answered the request itself. */
  intercept?: (req: RecordedRequest, res: ServerResponse) => boolean | Promise<boolean>;
}

export const sha256 = (b: Uint8Array | string): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

export class FakeRegistry {
  readonly blobs = new Map<string, Buffer>(); // digest → bytes (shared storage)
  readonly links = new Map<string, Set<string>>(); // repository → blob digests it can serve
  readonly manifests = new Map<string, Map<string, StoredManifest>>(); // repository → digest → manifest
  readonly tags = new Map<string, Map<string, string>>(); // repository → tag → digest
  private readonly uploads = new Map<string, { repository: string; data: Buffer[] }>();
  private nextUpload = 1;
  server!: LoopbackServer;

  private constructor(private readonly options: FakeRegistryOptions) {}

  static async start(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
    const registry = new FakeRegistry(options);
    registry.server = await startServer((req, res) => registry.handle(req, res));
    return registry;
  }

  get url(): string {
    return this.server.url;
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  addBlob(repository: string, bytes: Uint8Array | string): { digest: string; size: number } {
    const buf = Buffer.from(bytes);
    const digest = sha256(buf);
    this.blobs.set(digest, buf);
    this.link(repository, digest);
    return { digest, size: buf.byteLength };
  }

  addManifest(repository: string, body: unknown, mediaType: string, tag?: string): { digest: string; size: number; bytes: Buffer } {
    const bytes = Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
    const digest = sha256(bytes);
    this.map(this.manifests, repository).set(digest, { bytes, mediaType });
    if (tag) this.map(this.tags, repository).set(tag, digest);
    return { digest, size: bytes.byteLength, bytes };
  }

  tagDigest(repository: string, tag: string): string | undefined {
    return this.tags.get(repository)?.get(tag);
  }

  private link(repository: string, digest: string): void {
    const set = this.links.get(repository) ?? new Set<string>();
    set.add(digest);
    this.links.set(repository, set);
  }

  private map<V>(m: Map<string, Map<string, V>>, repository: string): Map<string, V> {
    let inner = m.get(repository);
    if (!inner) m.set(repository, (inner = new Map()));
    return inner;
  }

  private async handle(req: RecordedRequest, res: ServerResponse): Promise<void> {
    if (this.options.intercept && (await this.options.intercept(req, res))) return;
    const p = req.path;
    let m: RegExpExecArray | null;
    if (p === "/v2/") return void res.writeHead(200, { "content-type": "application/json" }).end("{}");
    if ((m = /^\/v2\/(.+)\/blobs\/uploads\/(.*)$/.exec(p))) return this.upload(req, res, m[1]!, m[2]!);
    if ((m = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(p))) return this.blob(req, res, m[1]!, m[2]!);
    if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(p))) return this.manifest(req, res, m[1]!, m[2]!);
    if ((m = /^\/v2\/(.+)\/tags\/list$/.exec(p))) {
      const tags = this.tags.get(m[1]!);
      if (!tags) return sendError(res, 404, "NAME_UNKNOWN", "repository name not known to registry");
      return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ name: m[1], tags: [...tags.keys()] }));
    }
    sendError(res, 404, "UNSUPPORTED", "not found"); // distribution 2.8 has no referrers route
  }

  private blob(req: RecordedRequest, res: ServerResponse, repository: string, digest: string): void {
    const bytes = this.links.get(repository)?.has(digest) ? this.blobs.get(digest) : undefined;
    if (!bytes) return sendError(res, 404, "BLOB_UNKNOWN", "blob unknown to registry");
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.byteLength, "docker-content-digest": digest });
    res.end(req.method === "HEAD" ? undefined : bytes);
  }

  private upload(req: RecordedRequest, res: ServerResponse, repository: string, id: string): void {
    if (req.method === "POST" && id === "") {
      const from = req.query.get("from");
      const mount = req.query.get("mount");
      if (mount && from && this.options.mount !== false && this.links.get(from)?.has(mount)) {
        this.link(repository, mount);
        return void res.writeHead(201, { location: `/v2/${repository}/blobs/${mount}`, "docker-content-digest": mount, "content-length": 0 }).end();
      }
      const uuid = `u${this.nextUpload++}`;
      this.uploads.set(uuid, { repository, data: [] });
      return void res.writeHead(202, { location: `/v2/${repository}/blobs/uploads/${uuid}?_state=${uuid}-state`, range: "0-0", "content-length": 0 }).end();
    }
    const session = this.uploads.get(id);
    if (!session || session.repository !== repository || req.query.get("_state") !== `${id}-state`) {
      return sendError(res, 404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry");
    }
    if (req.method === "DELETE") {
      this.uploads.delete(id);
      return void res.writeHead(204).end();
    }
    session.data.push(req.body);
    const size = session.data.reduce((n, b) => n + b.byteLength, 0);
    if (req.method === "PATCH") {
      return void res.writeHead(202, { location: `/v2/${repository}/blobs/uploads/${id}?_state=${id}-state`, range: `0-${Math.max(0, size - 1)}`, "content-length": 0 }).end();
    }
    if (req.method === "PUT") {
      const bytes = Buffer.concat(session.data);
      const digest = req.query.get("digest") ?? "";
      if (sha256(bytes) !== digest) return sendError(res, 400, "DIGEST_INVALID", "provided digest did not match uploaded content");
      this.uploads.delete(id);
      this.blobs.set(digest, bytes);
      this.link(repository, digest);
      return void res.writeHead(201, { location: `/v2/${repository}/blobs/${digest}`, "docker-content-digest": digest, "content-length": 0 }).end();
    }
    sendError(res, 405, "UNSUPPORTED", "method not allowed");
  }

  private manifest(req: RecordedRequest, res: ServerResponse, repository: string, reference: string): void {
    if (req.method === "PUT") {
      const mediaType = String(req.headers["content-type"] ?? "");
      const digest = sha256(req.body);
      if (reference.startsWith("sha256:") && reference !== digest) return sendError(res, 400, "DIGEST_INVALID", "manifest digest did not match");
      const doc = JSON.parse(req.body.toString("utf8")) as { manifests?: { digest: string }[]; layers?: { digest: string }[]; config?: { digest: string } };
      const missingBlob = [...(doc.layers ?? []), ...(doc.config ? [doc.config] : [])].find((d) => !this.links.get(repository)?.has(d.digest));
      const missingChild = (doc.manifests ?? []).find((d) => !this.manifests.get(repository)?.has(d.digest));
      if (missingBlob || missingChild) return sendError(res, 400, "MANIFEST_BLOB_UNKNOWN", `blob unknown to registry: ${(missingBlob ?? missingChild)!.digest}`);
      this.map(this.manifests, repository).set(digest, { bytes: req.body, mediaType });
      if (!reference.startsWith("sha256:")) this.map(this.tags, repository).set(reference, digest);
      return void res.writeHead(201, { location: `/v2/${repository}/manifests/${digest}`, "docker-content-digest": digest, "content-length": 0 }).end();
    }
    const digest = reference.startsWith("sha256:") ? reference : this.tags.get(repository)?.get(reference);
    const stored = digest ? this.manifests.get(repository)?.get(digest) : undefined;
    if (!digest || !stored) return sendError(res, 404, "MANIFEST_UNKNOWN", "manifest unknown");
    if (req.method === "DELETE") {
      this.manifests.get(repository)?.delete(digest);
      for (const [tag, d] of this.tags.get(repository) ?? []) if (d === digest) this.tags.get(repository)?.delete(tag);
      return void res.writeHead(202).end();
    }
    res.writeHead(200, { "content-type": stored.mediaType, "content-length": stored.bytes.byteLength, "docker-content-digest": digest, etag: `"${digest}"` });
    res.end(req.method === "HEAD" ? undefined : stored.bytes);
  }
}

/** Backoff short enough for tests that retry. */
export const FAST_BACKOFF = { backoffBaseMs: 5, backoffMaxMs: 20 };

/**
 * For a test file: `start` a FakeRegistry (or `track` any server) that is closed after each test.
 */
export function closedAfterEach() {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  const track = <T extends { close(): Promise<void> }>(s: T): T => (open.push(s), s);
  return { track, fake: async (options?: FakeRegistryOptions) => track(await FakeRegistry.start(options)) };
}

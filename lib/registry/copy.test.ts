import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { RegistryClient } from "./client";
import { copyImage, retag, type CopyProgress } from "./copy";
import { RegistryError } from "./errors";
import { DOCKER_CONFIG, DOCKER_LAYER, DOCKER_MANIFEST_SCHEMA2, OCI_CONFIG, OCI_INDEX, OCI_LAYER_GZIP, OCI_MANIFEST } from "./media-types";
import { closedAfterEach, FAST_BACKOFF, FakeRegistry, sha256 } from "./testing/fake-registry";
import { line, sendError, type RecordedRequest } from "./testing/loopback";

const FAST = FAST_BACKOFF;
const { fake } = closedAfterEach();
const client = (r: FakeRegistry, extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}) => new RegistryClient({ endpoint: r.url, options: FAST, ...extra });

/** An image (config + layers) in `repository`, tagged when asked; returns what was stored. */
function addImage(r: FakeRegistry, repository: string, layers: Buffer[], tag?: string, arch = "amd64") {
  const config = r.addBlob(repository, JSON.stringify({ architecture: arch, os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
  const layerDescs = layers.map((l) => ({ mediaType: OCI_LAYER_GZIP, ...r.addBlob(repository, l) }));
  // umoci style: no mediaType field in the body
  const manifest = r.addManifest(repository, { schemaVersion: 2, config: { mediaType: OCI_CONFIG, ...config }, layers: layerDescs }, OCI_MANIFEST, tag);
  return { ...manifest, config, layers: layerDescs };
}

const writes = (reqs: RecordedRequest[]) => reqs.filter((r) => ["POST", "PUT", "PATCH", "DELETE"].includes(r.method));
const manifestPuts = (reqs: RecordedRequest[]) => reqs.filter((r) => r.method === "PUT" && r.path.includes("/manifests/")).map((r) => r.path.split("/manifests/")[1]);

describe("copyImage across registries", () => {
  it("streams every blob, then writes the tag last", async () => {
    const src = await fake();
    const dst = await fake();
    const layers = [randomBytes(300_000), randomBytes(1000)];
    const image = addImage(src, "acme/api", layers, "1.0");
    const progress: CopyProgress[] = [];
    const result = await copyImage(
      { client: client(src), repository: "acme/api", reference: "1.0" },
      { client: client(dst), repository: "prod/api", tag: "stable" },
      { onProgress: (p) => progress.push(p) },
    );

    const total = image.config.size + layers[0]!.length + layers[1]!.length;
    expect(result.digest).toBe(image.digest);
    expect(result.mediaType).toBe(OCI_MANIFEST);
    expect(result.bytesCopied).toBe(total);
    expect(result.plan).toMatchObject({ existingTargetDigest: undefined, manifests: 1, bytesToCopy: total, noop: false });
    expect(result.plan.blobs.map((b) => b.action)).toEqual(["copy", "copy", "copy"]);
    expect(dst.tagDigest("prod/api", "stable")).toBe(image.digest);
    for (const l of layers) expect(dst.blobs.get(sha256(l))?.equals(l)).toBe(true);
    expect(Buffer.compare(dst.manifests.get("prod/api")!.get(image.digest)!.bytes, image.bytes)).toBe(0);

    // Each blob: POST, then PUT ?digest= with its bytes streamed (POST then PUT); the manifest PUT comes after all of them.
    const w = writes(dst.requests);
    expect(w.filter((r) => r.method === "POST")).toHaveLength(3);
    expect(w.filter((r) => r.method === "PATCH")).toEqual([]);
    const puts = w.filter((r) => r.method === "PUT" && r.path.includes("/blobs/uploads/"));
    expect(puts.map((p) => p.body.length).sort((a, b) => a - b)).toEqual([image.config.size, 1000, 300_000]);
    expect(line(w.at(-1)!)).toBe("PUT /v2/prod/api/manifests/stable");
    expect(w.slice(0, -1).every((r) => r.path.includes("/blobs/uploads/"))).toBe(true);
    expect(src.requests.filter((r) => r.method === "GET" && r.path.includes("/blobs/"))).toHaveLength(3);
    expect(progress.at(-1)).toEqual({ bytesDone: total, bytesTotal: total, blobsDone: 3, blobsTotal: 3 });
  });

  it("copies an index: children by digest first, the index by tag last, shared blobs once", async () => {
    const src = await fake();
    const dst = await fake();
    const shared = randomBytes(2048);
    const amd = addImage(src, "acme/multi", [shared, randomBytes(100)], undefined, "amd64");
    const arm = addImage(src, "acme/multi", [shared, randomBytes(100)], undefined, "arm64");
    const index = src.addManifest(
      "acme/multi",
      {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          { mediaType: OCI_MANIFEST, digest: amd.digest, size: amd.size, platform: { architecture: "amd64", os: "linux" } },
          { mediaType: OCI_MANIFEST, digest: arm.digest, size: arm.size, platform: { architecture: "arm64", os: "linux" } },
        ],
      },
      OCI_INDEX,
      "multi",
    );
    const result = await copyImage({ client: client(src), repository: "acme/multi", reference: "multi" }, { client: client(dst), repository: "mirror/multi", tag: "v1" });

    expect(result.digest).toBe(index.digest);
    expect(result.mediaType).toBe(OCI_INDEX);
    expect(result.plan.manifests).toBe(3);
    expect(result.plan.blobs).toHaveLength(5); // two configs, the shared layer once, two own layers
    expect(manifestPuts(dst.requests)).toEqual([amd.digest, arm.digest, "v1"]);
    expect(dst.tagDigest("mirror/multi", "v1")).toBe(index.digest);
    const patchedShared = dst.requests.filter((r) => r.method === "PUT" && r.query.get("digest") === sha256(shared));
    expect(patchedShared).toHaveLength(1);
  });

  it.each([
    [401, "UNAUTHORIZED", "token expired"],
    [500, "UNKNOWN", "filesystem: path not found"],
  ])("uploads a blob again (once) when the registry answers %i in the middle of its stream", async (status, code, message) => {
    const layer = randomBytes(200_000);
    let refused = 0;
    const dst = await fake({
      intercept: (req, res) => {
        // the streamed request: the PUT that closes the session with the blob's bytes
        if (req.method !== "PUT" || !req.path.includes("/blobs/uploads/") || refused > 0) return false;
        refused++;
        sendError(res, status, code, message);
        return true;
      },
    });
    const src = await fake();
    const image = addImage(src, "acme/api", [layer], "1.0");
    const progress: CopyProgress[] = [];
    const result = await copyImage({ client: client(src), repository: "acme/api", reference: "1.0" }, { client: client(dst), repository: "prod/api", tag: "1.0" }, { onProgress: (p) => progress.push(p) });
    expect(refused).toBe(1);
    expect(dst.tagDigest("prod/api", "1.0")).toBe(image.digest);
    expect(dst.blobs.get(sha256(layer))?.equals(layer)).toBe(true);
    expect(progress.at(-1)!.bytesDone).toBe(progress.at(-1)!.bytesTotal);
  });

  it("fails with a RegistryError and writes no tag when the source connection is cut mid-blob", async () => {
    const big = randomBytes(512 * 1024);
    const src = await fake({
      intercept: (req, res) => {
        if (req.method !== "GET" || !req.path.endsWith(sha256(big))) return false;
        res.writeHead(200, { "content-length": big.length, "content-type": "application/octet-stream" });
        res.write(big.subarray(0, 100_000), () => setTimeout(() => res.socket?.destroy(), 20));
        return true;
      },
    });
    const dst = await fake();
    addImage(src, "acme/api", [big, randomBytes(10)], "1.0");
    const err = await copyImage({ client: client(src), repository: "acme/api", reference: "1.0" }, { client: client(dst), repository: "prod/api", tag: "stable" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).codes).toEqual(["NETWORK"]);
    expect((err as RegistryError).message).toMatch(new RegExp(`^reading blob 127\\.0\\.0\\.1:${src.server.port}/acme/api@${sha256(big)}: NETWORK`));
    expect(manifestPuts(dst.requests)).toEqual([]);
    expect(dst.tagDigest("prod/api", "stable")).toBeUndefined();
    expect(dst.blobs.has(sha256(big))).toBe(false);
  });

  it("opens each blob's upload while the source is still answering: the POST does not wait for the GET", async () => {
    const dst = await fake();
    const uploadsOpened = () => dst.requests.filter((r) => r.method === "POST" && r.path.includes("/blobs/uploads/")).length;
    let blobGets = 0;
    let waitedInVain = 0;
    const src = await fake({
      // the source answers the n-th blob GET only once the target has seen n upload POSTs (or after 1 s)
      intercept: async (req) => {
        if (req.method !== "GET" || !req.path.includes("/blobs/")) return false;
        const n = ++blobGets;
        const until = Date.now() + 1000;
        while (uploadsOpened() < n && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
        if (uploadsOpened() < n) waitedInVain++;
        return false;
      },
    });
    const image = addImage(src, "acme/api", [randomBytes(5000), randomBytes(7000)], "1.0");
    await copyImage({ client: client(src), repository: "acme/api", reference: "1.0" }, { client: client(dst), repository: "prod/api", tag: "1.0" }, { concurrency: 1 });
    expect(dst.tagDigest("prod/api", "1.0")).toBe(image.digest);
    expect(blobGets).toBe(3);
    expect(waitedInVain).toBe(0);
  });

  it("a source blob that cannot be read: the upload it opened is cancelled, the copy fails with the source's error", async () => {
    const src = await fake({
      intercept: (req, res) => {
        if (req.method !== "GET" || !req.path.includes("/blobs/")) return false;
        sendError(res, 404, "BLOB_UNKNOWN", "blob unknown to registry");
        return true;
      },
    });
    const dst = await fake();
    addImage(src, "acme/api", [randomBytes(100)], "1.0");
    const err = await copyImage({ client: client(src), repository: "acme/api", reference: "1.0" }, { client: client(dst), repository: "prod/api", tag: "1.0" }, { concurrency: 1 }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).codes).toEqual(["BLOB_UNKNOWN"]);
    const w = writes(dst.requests);
    // every session opened was cancelled; no blob and no tag written
    expect(w.filter((r) => r.method === "DELETE")).toHaveLength(w.filter((r) => r.method === "POST").length);
    expect(w.filter((r) => r.method === "PUT")).toEqual([]);
  });

  it("streams into a registry that wants Basic auth on every request", async () => {
    const auth = `Basic ${Buffer.from("ci:token").toString("base64")}`;
    const src = await fake();
    const dst = await fake({
      intercept: (req, res) => {
        if (req.headers.authorization === auth) return false;
        sendError(res, 401, "UNAUTHORIZED", "authentication required", { "www-authenticate": 'Basic realm="Registry Realm"' });
        return true;
      },
    });
    const image = addImage(src, "a", [randomBytes(5000)], "1");
    await copyImage({ client: client(src), repository: "a", reference: "1" }, { client: client(dst, { credentials: { username: "ci", password: "token" } }), repository: "b", tag: "1" });
    expect(dst.tagDigest("b", "1")).toBe(image.digest);
    const streamed = dst.requests.filter((r) => r.method === "PUT" && r.path.includes("/blobs/uploads/") && r.body.length > 0);
    expect(streamed.length).toBe(2);
    for (const p of streamed) expect(p.headers.authorization).toBe(auth);
  });
});

describe("copies of one image into one repository", () => {
  it("at once: each blob is sent by one of them, the others wait for it; every tag is written", async () => {
    const src = await fake();
    const dst = await fake();
    const image = addImage(src, "acme/api", [randomBytes(50_000), randomBytes(20_000)], "1.0");
    const results = await Promise.all(["a", "b", "c", "d"].map((tag) =>
      copyImage({ client: client(src), repository: "acme/api", reference: "1.0" }, { client: client(dst), repository: "prod/api", tag })));
    for (const tag of ["a", "b", "c", "d"]) expect(dst.tagDigest("prod/api", tag)).toBe(image.digest);
    expect(dst.requests.filter((r) => r.method === "PUT" && r.path.includes("/blobs/uploads/"))).toHaveLength(3);
    expect(results.reduce((t, r) => t + r.bytesCopied, 0)).toBe(image.config.size + 70_000);
  });

  it("a blob the registry lost after this process put it: the manifest PUT's MANIFEST_BLOB_UNKNOWN sends it again, once, and the copy succeeds", async () => {
    const src = await fake();
    const dst = await fake();
    const layer = randomBytes(30_000);
    const image = addImage(src, "acme/api", [layer], "1.0");
    await copyImage({ client: client(src), repository: "acme/api", reference: "1.0" }, { client: client(dst), repository: "prod/api", tag: "a" });
    // the registry loses the layer from the repository (its storage reset, a garbage collection)
    dst.links.get("prod/api")!.delete(sha256(layer));
    const before = dst.requests.length;
    const result = await copyImage({ client: client(src), repository: "acme/api", reference: "1.0" }, { client: client(dst), repository: "prod/api", tag: "b" });
    expect(dst.tagDigest("prod/api", "b")).toBe(image.digest);
    expect(result.bytesCopied).toBe(layer.length);
    const after = dst.requests.slice(before).filter((r) => r.method === "PUT").map((r) => (r.path.includes("/manifests/") ? line(r) : "PUT blob"));
    expect(after).toEqual(["PUT /v2/prod/api/manifests/b", "PUT blob", "PUT /v2/prod/api/manifests/b"]);
  });
});

describe("cancellation", () => {
  it("stops a copy when the caller aborts, before the tag is written", async () => {
    const big = randomBytes(256 * 1024);
    const controller = new AbortController();
    const src = await fake({
      intercept: (req, res) => {
        if (req.method !== "GET" || !req.path.endsWith(sha256(big))) return false;
        res.writeHead(200, { "content-length": big.length });
        res.write(big.subarray(0, 1000), () => controller.abort(new Error("user cancelled")));
        return true; // the rest never comes
      },
    });
    const dst = await fake();
    addImage(src, "acme/api", [big], "1.0");
    const err = await copyImage(
      { client: client(src), repository: "acme/api", reference: "1.0" },
      { client: client(dst), repository: "prod/api", tag: "stable" },
      { signal: controller.signal },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as Error).message).toBe("user cancelled");
    expect(manifestPuts(dst.requests)).toEqual([]);
    expect(dst.tagDigest("prod/api", "stable")).toBeUndefined();
  });
});

describe("copyImage within one registry", () => {
  it("mounts blobs instead of moving bytes", async () => {
    const reg = await fake();
    const image = addImage(reg, "team/app", [randomBytes(4000)], "1.0");
    const c = client(reg);
    const result = await copyImage({ client: c, repository: "team/app", reference: "1.0" }, { client: c, repository: "prod/app", tag: "1.0" });
    expect(result.plan.blobs.map((b) => b.action)).toEqual(["mount", "mount"]);
    expect(result.plan.bytesToCopy).toBe(0);
    expect(result.bytesCopied).toBe(0);
    const posts = reg.requests.filter((r) => r.method === "POST");
    expect(posts.map((p) => [p.path, p.query.get("mount"), p.query.get("from")])).toEqual(
      expect.arrayContaining([
        ["/v2/prod/app/blobs/uploads/", image.config.digest, "team/app"],
        ["/v2/prod/app/blobs/uploads/", image.layers[0]!.digest, "team/app"],
      ]),
    );
    expect(reg.requests.filter((r) => r.method === "PATCH" || (r.method === "GET" && r.path.includes("/blobs/")))).toEqual([]);
    expect(line(reg.requests.at(-1)!)).toBe("PUT /v2/prod/app/manifests/1.0");
    expect(reg.tagDigest("prod/app", "1.0")).toBe(image.digest);
  });

  it("uploads through the session a 202 mount opened, without a second POST", async () => {
    const reg = await fake({ mount: false });
    const image = addImage(reg, "team/app", [randomBytes(4000)], "1.0");
    const c = client(reg);
    const progress: CopyProgress[] = [];
    const result = await copyImage({ client: c, repository: "team/app", reference: "1.0" }, { client: c, repository: "prod/app", tag: "1.0" }, { onProgress: (p) => progress.push(p) });
    expect(reg.requests.filter((r) => r.method === "POST")).toHaveLength(2);
    expect(reg.requests.filter((r) => r.method === "POST").every((r) => r.query.has("mount"))).toBe(true);
    // each session the refused mount opened takes the blob's bytes in its closing PUT
    expect(reg.requests.filter((r) => r.method === "PUT" && r.path.includes("/blobs/uploads/")).map((r) => r.body.length).sort((a, b) => a - b)).toEqual([image.config.size, 4000]);
    expect(result.bytesCopied).toBe(image.config.size + 4000);
    expect(progress.at(-1)).toMatchObject({ bytesDone: result.bytesCopied, bytesTotal: result.bytesCopied, blobsDone: 2 });
    expect(reg.tagDigest("prod/app", "1.0")).toBe(image.digest);
  });
});

describe("copyImage across registries with mount candidates", () => {
  it("mounts a blob another repository of the target holds, and streams only the rest", async () => {
    const src = await fake();
    const dst = await fake();
    const shared = randomBytes(50_000);
    const image = addImage(src, "acme/api", [shared, randomBytes(3000)], "1.0");
    dst.addBlob("prod/other", shared);
    const asked: string[][] = [];
    const result = await copyImage(
      { client: client(src), repository: "acme/api", reference: "1.0" },
      { client: client(dst), repository: "prod/api", tag: "1.0" },
      { mountCandidates: async (digests) => (asked.push(digests), new Map([[sha256(shared), ["prod/api", "prod/other"]]])) },
    );
    expect(asked).toHaveLength(1);
    expect(result.plan.blobs.find((b) => b.digest === sha256(shared))).toMatchObject({ action: "mount", from: "prod/other" });
    expect(result.bytesCopied).toBe(image.config.size + 3000);
    expect(src.requests.some((r) => r.method === "GET" && r.path.endsWith(sha256(shared)))).toBe(false);
    const mounts = dst.requests.filter((r) => r.method === "POST" && r.query.has("mount"));
    expect(mounts.map((r) => [r.query.get("mount"), r.query.get("from")])).toEqual([[sha256(shared), "prod/other"]]);
    expect(dst.tagDigest("prod/api", "1.0")).toBe(image.digest);
  });

  it("a refused mount (202) or a failing lookup falls back to the upload", async () => {
    const src = await fake();
    const dst = await fake({ mount: false });
    const layer = randomBytes(20_000);
    const image = addImage(src, "acme/api", [layer], "1.0");
    const refused = await copyImage(
      { client: client(src), repository: "acme/api", reference: "1.0" },
      { client: client(dst), repository: "prod/api", tag: "1.0" },
      { mountCandidates: async () => new Map([[sha256(layer), ["prod/gone"]]]) },
    );
    expect(refused.bytesCopied).toBe(image.config.size + 20_000);
    expect(dst.blobs.get(sha256(layer))?.equals(layer)).toBe(true);
    expect(dst.tagDigest("prod/api", "1.0")).toBe(image.digest);
    const failing = await copyImage(
      { client: client(src), repository: "acme/api", reference: "1.0" },
      { client: client(dst), repository: "prod/b", tag: "1.0" },
      { mountCandidates: async () => { throw new Error("database away"); } },
    );
    expect(failing.bytesCopied).toBe(image.config.size + 20_000);
    expect(dst.tagDigest("prod/b", "1.0")).toBe(image.digest);
  });
});

describe("copyImage with a candidate the registry denies", () => {
  it("a mount answered 403 (no pull on that repository) falls back to the upload; the source's own mount errors still stop the copy", async () => {
    const src = await fake();
    const dst = await fake({
      intercept: (req, res) => {
        if (req.method !== "POST" || !req.query.has("mount")) return false;
        sendError(res, 403, "DENIED", "requested access to the resource is denied");
        return true;
      },
    });
    const layer = randomBytes(10_000);
    const image = addImage(src, "acme/api", [layer], "1.0");
    dst.addBlob("prod/secret", layer);
    const result = await copyImage(
      { client: client(src), repository: "acme/api", reference: "1.0" },
      { client: client(dst), repository: "prod/api", tag: "1.0" },
      { mountCandidates: async () => new Map([[sha256(layer), ["prod/secret"]]]) },
    );
    expect(result.bytesCopied).toBe(image.config.size + 10_000);
    expect(dst.tagDigest("prod/api", "1.0")).toBe(image.digest);

    // within one registry the mount from the source is the plan itself: its refusal is the copy's error
    const same = client(dst);
    addImage(dst, "acme/own", [randomBytes(100)], "1.0");
    await expect(copyImage({ client: same, repository: "acme/own", reference: "1.0" }, { client: same, repository: "prod/own", tag: "1.0" })).rejects.toMatchObject({ status: 403 });
  });
});

describe("plans", () => {
  it("dry run: HEADs only on the target, blobs it has marked exists", async () => {
    const src = await fake();
    const dst = await fake();
    const layer = randomBytes(777);
    const image = addImage(src, "acme/api", [layer], "1.0");
    const old = addImage(dst, "prod/api", [randomBytes(10)], "stable", "arm64");
    dst.addBlob("prod/api", layer); // already there
    const result = await copyImage({ client: client(src), repository: "acme/api", reference: "1.0" }, { client: client(dst), repository: "prod/api", tag: "stable" }, { dryRun: true });
    expect(result.plan).toEqual({
      source: `127.0.0.1:${src.server.port}/acme/api@${image.digest}`,
      target: `127.0.0.1:${dst.server.port}/prod/api:stable`,
      existingTargetDigest: old.digest,
      manifests: 1,
      blobs: [
        { digest: image.config.digest, size: image.config.size, action: "copy" },
        { digest: sha256(layer), size: 777, action: "exists" },
      ],
      bytesToCopy: image.config.size,
      noop: false,
      referrers: 0,
    });
    expect(result.bytesCopied).toBe(0);
    expect(new Set(dst.requests.map((r) => r.method))).toEqual(new Set(["HEAD"]));
    expect(src.requests.every((r) => r.method === "GET" && r.path.includes("/manifests/"))).toBe(true);
    expect(dst.tagDigest("prod/api", "stable")).toBe(old.digest);
  });

  it("is a no-op when the target tag already points at the digest", async () => {
    const src = await fake();
    const dst = await fake();
    const layer = randomBytes(100);
    const image = addImage(src, "acme/api", [layer], "1.0");
    addImage(dst, "prod/api", [layer], "stable");
    const result = await copyImage({ client: client(src), repository: "acme/api", reference: "1.0" }, { client: client(dst), repository: "prod/api", tag: "stable" });
    expect(result.plan.noop).toBe(true);
    expect(result.plan.existingTargetDigest).toBe(image.digest);
    expect(result.plan.blobs).toEqual([]);
    expect(dst.requests.map(line)).toEqual(["HEAD /v2/prod/api/manifests/stable"]);
    expect(src.requests.map(line)).toEqual(["GET /v2/acme/api/manifests/1.0"]);
  });

  it("validates every name before any request", async () => {
    const src = await fake();
    await expect(copyImage({ client: client(src), repository: "acme/api", reference: "1.0" }, { client: client(src), repository: "prod/api", tag: "bad tag" })).rejects.toThrow(
      'tag "bad tag" is invalid',
    );
    expect(src.requests).toEqual([]);
  });
});

describe("referrers", () => {
  it("copies the root's referrers and keeps the sha256-<hex> fallback tag for a registry without the API", async () => {
    const src = await fake();
    const dst = await fake();
    const image = addImage(src, "acme/api", [randomBytes(50)], "1.0");
    const sigBlob = src.addBlob("acme/api", "signature-bytes");
    const sig = src.addManifest(
      "acme/api",
      {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json",
        config: { mediaType: "application/vnd.oci.empty.v1+json", ...src.addBlob("acme/api", "{}") },
        layers: [{ mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json", ...sigBlob }],
        subject: { mediaType: OCI_MANIFEST, digest: image.digest, size: image.size },
      },
      OCI_MANIFEST,
    );
    const sigDesc = { mediaType: OCI_MANIFEST, digest: sig.digest, size: sig.size, artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json" };
    const fallbackTag = image.digest.replace(":", "-");
    src.addManifest("acme/api", { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [sigDesc] }, OCI_INDEX, fallbackTag);

    const result = await copyImage({ client: client(src), repository: "acme/api", reference: "1.0" }, { client: client(dst), repository: "prod/api", tag: "1.0" }, { referrers: true });
    expect(result.plan.referrers).toBe(1);
    expect(manifestPuts(dst.requests)).toEqual([image.digest, sig.digest, fallbackTag, "1.0"]);
    expect(await client(dst).referrers("prod/api", image.digest)).toEqual([sigDesc]);
    expect(dst.tagDigest("prod/api", "1.0")).toBe(image.digest);
  });
});

describe("retag", () => {
  it("makes exactly two requests: GET the manifest, PUT the same bytes", async () => {
    const reg = await fake();
    const raw = `{"schemaVersion":2,"mediaType":"${DOCKER_MANIFEST_SCHEMA2}","config":{"mediaType":"${DOCKER_CONFIG}","digest":"${reg.addBlob("a", "cfg").digest}","size":3},"layers":[{"mediaType":"${DOCKER_LAYER}","digest":"${reg.addBlob("a", "layer").digest}","size":5}]}`;
    const m = reg.addManifest("a", raw, DOCKER_MANIFEST_SCHEMA2, "1.0");
    const result = await retag(client(reg), "a", "1.0", "prod");
    expect(result).toEqual({ digest: m.digest, mediaType: DOCKER_MANIFEST_SCHEMA2 });
    expect(reg.requests.map(line)).toEqual(["GET /v2/a/manifests/1.0", "PUT /v2/a/manifests/prod"]);
    expect(reg.requests[1]!.headers["content-type"]).toBe(DOCKER_MANIFEST_SCHEMA2);
    expect(reg.requests[1]!.body.toString()).toBe(raw);
    expect(reg.tagDigest("a", "prod")).toBe(m.digest);
  });
});

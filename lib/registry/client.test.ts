import { createHash } from "node:crypto";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { RegistryClient } from "./client";
import { RegistryError } from "./errors";
import { MANIFEST_ACCEPT, OCI_INDEX, OCI_MANIFEST } from "./media-types";
import { InvalidReferenceError } from "./reference";
import { closedAfterEach, FAST_BACKOFF, sha256 } from "./testing/fake-registry";
import { line, sendError, sendJson, startServer, type LoopbackServer } from "./testing/loopback";

const FAST = FAST_BACKOFF;
const { track, fake } = closedAfterEach();
const serve = async (...args: Parameters<typeof startServer>): Promise<LoopbackServer> => track(await startServer(...args));
const client = (endpoint: string, options = {}) => new RegistryClient({ endpoint, options: { ...FAST, ...options } });

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
}

describe("listing", () => {
  it("follows relative catalog links (registry:2) and exposes page cursors", async () => {
    const all = ["a", "b", "c", "d", "e"];
    const registry = await serve((req, res) => {
      const n = Number(req.query.get("n") ?? 100);
      const last = req.query.get("last");
      const start = last ? all.indexOf(last) + 1 : 0;
      const page = all.slice(start, start + n);
      const more = start + n < all.length;
      sendJson(res, 200, { repositories: page }, more ? { link: `</v2/_catalog?last=${page.at(-1)}&n=${n}>; rel="next"` } : {});
    });
    const c = client(registry.url);
    const seen: string[] = [];
    for await (const name of c.listRepositories({ pageSize: 2 })) seen.push(name);
    expect(seen).toEqual(all);
    expect(registry.requests.map(line)).toEqual(["GET /v2/_catalog?n=2", "GET /v2/_catalog?last=b&n=2", "GET /v2/_catalog?last=d&n=2"]);

    const first = await c.catalog({ n: 3 });
    expect(first).toEqual({ repositories: ["a", "b", "c"], next: { n: 3, last: "c" } });
    expect(await c.catalog(first.next)).toEqual({ repositories: ["d", "e"], next: undefined });
  });

  it("follows absolute tag links with an opaque last (Quay, ECR) exactly as given", async () => {
    const registry = await serve((req, res) => {
      const base = `http://127.0.0.1:${registry.port}`;
      if (!req.query.get("last")) return sendJson(res, 200, { name: "acme/api", tags: ["v1", "v2"] }, { link: `<${base}/v2/acme/api/tags/list?n=2&last=gAAAA%2Bopaque%3D%3D>; rel="next"` });
      if (req.query.get("last") === "gAAAA+opaque==") return sendJson(res, 200, { name: "acme/api", tags: ["v3"] });
      sendError(res, 400, "PAGINATION_NUMBER_INVALID", "bad token");
    });
    expect(await client(registry.url).listTags("acme/api", { pageSize: 2 })).toEqual(["v1", "v2", "v3"]);
    expect(registry.requests.map(line)).toEqual(["GET /v2/acme/api/tags/list?n=2", "GET /v2/acme/api/tags/list?n=2&last=gAAAA%2Bopaque%3D%3D"]);
  });

  it("returns everything from a registry that ignores n and sends no Link (registry 2.8)", async () => {
    const tags = Array.from({ length: 250 }, (_, i) => `t${i}`);
    const registry = await serve((_req, res) => sendJson(res, 200, { name: "big", tags }));
    const c = client(registry.url);
    expect(await c.listTags("big", { pageSize: 50 })).toEqual(tags);
    expect(registry.requests.map(line)).toEqual(["GET /v2/big/tags/list?n=50"]);
    const page = await c.tagsPage("big", { n: 50 });
    expect(page.tags).toHaveLength(250);
    expect(page.next).toBeUndefined();
  });

  it("stops on a link that repeats itself or an empty page that still links onwards", async () => {
    const registry = await serve((req, res) => {
      if (req.path === "/v2/loop/tags/list") return sendJson(res, 200, { name: "loop", tags: ["x"] }, { link: '</v2/loop/tags/list?last=x>; rel="next"' });
      sendJson(res, 200, { repositories: [] }, { link: '</v2/_catalog?n=0>; rel="next"' });
    });
    const c = client(registry.url);
    expect(await c.listTags("loop")).toEqual(["x"]);
    expect(registry.requests).toHaveLength(2);
    const names: string[] = [];
    for await (const n of c.listRepositories()) names.push(n);
    expect(names).toEqual([]);
    expect(registry.requests).toHaveLength(3);
  });

  it("validates the repository before any request and reports NAME_UNKNOWN", async () => {
    const registry = await fake();
    const c = client(registry.url);
    const bad = await rejection(c.listTags("Acme/API"));
    expect(bad).toBeInstanceOf(InvalidReferenceError);
    expect(registry.requests).toHaveLength(0);
    const missing = (await rejection(c.listTags("nope"))) as RegistryError;
    expect(missing.codes).toEqual(["NAME_UNKNOWN"]);
    expect(missing.message).toBe(`listing tags of 127.0.0.1:${registry.server.port}/nope: NAME_UNKNOWN (404): repository name not known to registry`);
  });
});

describe("manifests", () => {
  const manifest = { schemaVersion: 2, config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${"c".repeat(64)}`, size: 2 }, layers: [] };

  it("HEAD and GET send every manifest type and keep the raw bytes (umoci: no mediaType field)", async () => {
    const registry = await fake();
    // Unusual spacing: re-serialising would change the digest.
    const raw = JSON.stringify(manifest, null, 3);
    const { digest, size } = registry.addManifest("acme/api", raw, OCI_MANIFEST, "1.0");
    const c = client(registry.url);
    expect(await c.headManifest("acme/api", "1.0")).toEqual({ digest, mediaType: OCI_MANIFEST, size });
    const got = await c.getManifest("acme/api", "1.0");
    expect(got.digest).toBe(digest);
    expect(got.mediaType).toBe(OCI_MANIFEST);
    expect(Buffer.from(got.bytes).toString()).toBe(raw);
    expect(got.json).toEqual(manifest);
    for (const r of registry.requests) expect(String(r.headers.accept).split(", ").sort()).toEqual([...MANIFEST_ACCEPT].sort());
    expect(registry.requests.map(line)).toEqual(["HEAD /v2/acme/api/manifests/1.0", "GET /v2/acme/api/manifests/1.0"]);
    expect(await c.headManifest("acme/api", "missing")).toBeNull();
  });

  it("HEADs keep their connection: a tag table's thousands of HEADs are not each a new TCP or TLS connection", async () => {
    // Node's fetch closes the connection after every HEAD unless told otherwise (nodejs/undici#258)
    const registry = await fake();
    for (let i = 0; i < 20; i++) registry.addManifest("acme/api", JSON.stringify({ ...manifest, annotations: { i: String(i) } }), OCI_MANIFEST, `v${i}`);
    const c = client(registry.url);
    for (let i = 0; i < 20; i++) expect(await c.headManifest("acme/api", `v${i}`)).not.toBeNull();
    expect(registry.requests.filter((r) => r.method === "HEAD")).toHaveLength(20);
    // one after another: a connection, or two when the next HEAD goes before the last one's socket is back in the pool
    expect(new Set(registry.requests.filter((r) => r.method === "HEAD").map((r) => r.remotePort)).size).toBeLessThanOrEqual(2);
  });

  it("a registry that sends bytes after a HEAD's headers gets them read as nothing: the next HEAD has its own answer", async () => {
    // Node's HTTP server never writes a body for HEAD: a raw socket does what a broken or hostile
    // registry can. The stray bytes are a whole forged response; on a kept connection they must not
    // become the answer to the next request.
    const forged = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\nDocker-Content-Digest: sha256:" + "f".repeat(64) + "\r\nContent-Length: 0\r\n\r\n";
    const digestOf = (tag: string) => `sha256:${createHash("sha256").update(tag).digest("hex")}`;
    const ports: number[] = [];
    const seen: string[] = [];
    const server = net.createServer((socket) => {
      ports.push(socket.remotePort!);
      let buffered = "";
      socket.on("error", () => {});
      socket.on("data", (chunk) => {
        buffered += chunk.toString("latin1");
        for (let end = buffered.indexOf("\r\n\r\n"); end >= 0; end = buffered.indexOf("\r\n\r\n")) {
          const [method, target] = buffered.slice(0, end).split(" ");
          seen.push(`${method} ${target}`);
          buffered = buffered.slice(end + 4);
          if (method !== "HEAD") {
            socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
            continue;
          }
          const tag = target!.split("/").at(-1)!;
          const headers = `HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\nDocker-Content-Digest: ${digestOf(tag)}\r\nContent-Length: ${forged.length}\r\n\r\n`;
          socket.write(tag.startsWith("evil") ? headers + forged : headers);
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const c = client(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
      for (let i = 0; i < 5; i++) {
        expect((await c.headManifest("acme/api", `evil${i}`))?.digest).toBe(digestOf(`evil${i}`));
        expect((await c.headManifest("acme/api", `good${i}`))?.digest).toBe(digestOf(`good${i}`));
      }
      // each stray body ends its connection: the next HEAD goes on a new one
      expect(new Set(ports).size).toBeGreaterThanOrEqual(5);
      // and nothing was sent twice or lost on the way
      expect(seen).toEqual(Array.from({ length: 5 }, (_, i) => [`HEAD /v2/acme/api/manifests/evil${i}`, `HEAD /v2/acme/api/manifests/good${i}`]).flat());
    } finally {
      server.close();
      server.unref();
    }
  });

  it("rejects a body that does not match Docker-Content-Digest or the requested digest", async () => {
    const body = Buffer.from(JSON.stringify(manifest));
    const other = `sha256:${"9".repeat(64)}`;
    const registry = await serve((req, res) => {
      const headers = { "content-type": OCI_MANIFEST, "content-length": body.length, "docker-content-digest": req.path.endsWith("/lying") ? other : sha256(body) };
      res.writeHead(200, headers).end(body);
    });
    const c = client(registry.url);
    const lying = (await rejection(c.getManifest("acme/api", "lying"))) as RegistryError;
    expect(lying.codes).toEqual(["DIGEST_MISMATCH"]);
    expect(lying.message).toBe(`reading manifest 127.0.0.1:${registry.port}/acme/api:lying: DIGEST_MISMATCH (200): content hashes to ${sha256(body)} but Docker-Content-Digest says ${other}`);
    const byDigest = (await rejection(c.getManifest("acme/api", other))) as RegistryError;
    expect(byDigest.codes).toEqual(["DIGEST_MISMATCH"]);
    expect(byDigest.message).toContain(`content hashes to ${sha256(body)}`);
  });

  it("rejects malformed manifests with MALFORMED", async () => {
    const registry = await serve((req, res) => {
      const body = req.path.endsWith("/notjson") ? "{not json" : req.path.endsWith("/array") ? "[1,2]" : '{"hello":"world"}';
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    });
    const c = client(registry.url);
    for (const [tag, reason] of [
      ["notjson", "manifest is not valid JSON"],
      ["array", "manifest is not a JSON object"],
      ["shapeless", "neither Content-Type nor the body tell the manifest's media type"],
    ]) {
      const e = (await rejection(c.getManifest("acme/api", tag!))) as RegistryError;
      expect(e.codes).toEqual(["MALFORMED"]);
      expect(e.message).toBe(`reading manifest 127.0.0.1:${registry.port}/acme/api:${tag}: MALFORMED (200): ${reason}`);
    }
  });

  it("PUTs the exact bytes with Content-Type = media type; a digest reference must match before sending", async () => {
    const registry = await fake();
    registry.addBlob("acme/api", "{}"); // not the config: the fake only checks what the manifest names
    const body = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }));
    const c = client(registry.url);
    const digest = await c.putManifest("acme/api", "v1", body, OCI_INDEX);
    expect(digest).toBe(sha256(body));
    const put = registry.requests.at(-1)!;
    expect(put.method).toBe("PUT");
    expect(put.path).toBe("/v2/acme/api/manifests/v1");
    expect(put.headers["content-type"]).toBe(OCI_INDEX);
    expect(Buffer.compare(put.body, Buffer.from(body))).toBe(0);
    expect(registry.tagDigest("acme/api", "v1")).toBe(digest);

    const before = registry.requests.length;
    const wrong = (await rejection(c.putManifest("acme/api", `sha256:${"0".repeat(64)}`, body, OCI_INDEX))) as RegistryError;
    expect(wrong.codes).toEqual(["DIGEST_MISMATCH"]);
    expect(registry.requests).toHaveLength(before);
  });

  it("deletes by digest only", async () => {
    const registry = await fake();
    const { digest } = registry.addManifest("acme/api", manifest, OCI_MANIFEST, "gone");
    const c = client(registry.url);
    const byTag = (await rejection(c.deleteManifest("acme/api", "gone"))) as InvalidReferenceError;
    expect(byTag).toBeInstanceOf(InvalidReferenceError);
    expect(byTag.field).toBe("digest");
    expect(registry.requests).toHaveLength(0);
    await c.deleteManifest("acme/api", digest);
    expect(registry.requests.map(line)).toEqual([`DELETE /v2/acme/api/manifests/${digest}`]);
    expect(await c.headManifest("acme/api", "gone")).toBeNull();
  });
});

describe("blobs", () => {
  const data = Buffer.from("0123456789abcdefghij"); // 20 bytes
  const digest = sha256(data);
  const streamOf = (buf: Buffer, chunk = 7) =>
    new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < buf.length; i += chunk) c.enqueue(new Uint8Array(buf.subarray(i, i + chunk)));
        c.close();
      },
    });

  it("uploads bytes with POST then one PUT to the Location, keeping its query and adding digest", async () => {
    const registry = await fake();
    await client(registry.url).uploadBlob("acme/api", digest, data.length, new Uint8Array(data));
    expect(registry.requests.map(line)).toEqual(["POST /v2/acme/api/blobs/uploads/", `PUT /v2/acme/api/blobs/uploads/u1?_state=u1-state&digest=${encodeURIComponent(digest)}`]);
    expect(registry.requests[1]!.headers["content-type"]).toBe("application/octet-stream");
    expect(registry.requests[1]!.headers["content-length"]).toBe("20");
    expect(registry.blobs.get(digest)?.toString()).toBe(data.toString());
  });

  it("streams a blob of known size as the body of the PUT ?digest= that closes its session (POST then PUT)", async () => {
    const registry = await fake();
    await client(registry.url).uploadBlob("acme/api", digest, data.length, streamOf(data));
    expect(registry.requests.map(line)).toEqual(["POST /v2/acme/api/blobs/uploads/", `PUT /v2/acme/api/blobs/uploads/u1?_state=u1-state&digest=${encodeURIComponent(digest)}`]);
    expect(registry.requests[1]!.body.toString()).toBe(data.toString());
    expect(registry.requests[1]!.headers["content-length"]).toBe("20");
    expect(registry.blobs.get(digest)?.toString()).toBe(data.toString());
  });

  it("streams a blob of unknown size in one PATCH, then closes the session with an empty PUT ?digest=", async () => {
    const registry = await fake();
    await client(registry.url).uploadBlob("acme/api", digest, -1, streamOf(data));
    expect(registry.requests.map(line)).toEqual([
      "POST /v2/acme/api/blobs/uploads/",
      "PATCH /v2/acme/api/blobs/uploads/u1?_state=u1-state",
      `PUT /v2/acme/api/blobs/uploads/u1?_state=u1-state&digest=${encodeURIComponent(digest)}`,
    ]);
    expect(registry.requests[1]!.body.toString()).toBe(data.toString());
    expect(registry.requests[2]!.body.length).toBe(0);
    expect(registry.requests[2]!.headers["content-length"]).toBe("0");
    expect(registry.blobs.has(digest)).toBe(true);
  });

  it("takes Amazon ECR's 201 to a PATCH (aws/containers-roadmap#2831) as the spec's 202", async () => {
    const registry = await serve((req, res) => {
      if (req.method === "POST") return void res.writeHead(202, { location: "/v2/acme/api/blobs/uploads/e1" }).end();
      if (req.method === "PATCH") return void res.writeHead(201, { location: "/v2/acme/api/blobs/uploads/e1?part=2" }).end();
      if (req.method === "PUT") return void res.writeHead(201, { "docker-content-digest": digest }).end();
      res.writeHead(500).end();
    });
    await client(registry.url, { uploadMode: "chunked", uploadChunkSize: 8 }).uploadBlob("acme/api", digest, data.length, streamOf(data, 5));
    expect(registry.requests.map((r) => r.method)).toEqual(["POST", "PATCH", "PATCH", "PATCH", "PUT"]);
  });

  it("uploads in Content-Range chunks in chunked mode", async () => {
    const registry = await fake();
    await client(registry.url, { uploadMode: "chunked", uploadChunkSize: 8 }).uploadBlob("acme/api", digest, data.length, streamOf(data, 5));
    const patches = registry.requests.filter((r) => r.method === "PATCH");
    expect(patches.map((r) => [r.headers["content-range"], r.body.toString()])).toEqual([
      ["0-7", "01234567"],
      ["8-15", "89abcdef"],
      ["16-19", "ghij"],
    ]);
    expect(registry.requests.at(-1)!.method).toBe("PUT");
    expect(registry.blobs.get(digest)?.toString()).toBe(data.toString());
  });

  it("follows an absolute upload Location on the same registry", async () => {
    let base = "";
    const registry = await serve((req, res) => {
      if (req.method === "POST") return void res.writeHead(202, { location: `${base}/upload/abc?session=s%2B1` }).end();
      if (req.method === "PUT") return void res.writeHead(201, { "docker-content-digest": digest }).end();
      res.writeHead(500).end();
    });
    base = registry.url;
    await client(registry.url).uploadBlob("acme/api", digest, data.length, new Uint8Array(data));
    expect(registry.requests.map(line)).toEqual(["POST /v2/acme/api/blobs/uploads/", `PUT /upload/abc?session=s%2B1&digest=${encodeURIComponent(digest)}`]);
  });

  it("mounts across repositories, and continues a 202 session without a second POST", async () => {
    const registry = await fake();
    registry.addBlob("src", data);
    const c = client(registry.url);
    expect(await c.mountBlob("dst", digest, "src")).toBe("mounted");
    expect(registry.requests.map(line)).toEqual([`POST /v2/dst/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=src`]);

    const noMount = await fake({ mount: false });
    noMount.addBlob("src", data);
    const c2 = client(noMount.url);
    expect(await c2.mountBlob("dst", digest, "src")).toBe("upload-started");
    expect(c2.uploadSession("dst", digest)).toBe(`${noMount.url}/v2/dst/blobs/uploads/u1?_state=u1-state`);
    await c2.uploadBlob("dst", digest, data.length, new Uint8Array(data));
    expect(noMount.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(noMount.requests.at(-1)!.url).toBe(`/v2/dst/blobs/uploads/u1?_state=u1-state&digest=${encodeURIComponent(digest)}`);
    expect(c2.uploadSession("dst", digest)).toBeUndefined();
  });

  it("checks blob existence and size; a wrong blob fails its stream with DIGEST_MISMATCH", async () => {
    const registry = await fake();
    registry.addBlob("acme/api", data);
    const c = client(registry.url);
    expect(await c.headBlob("acme/api", digest)).toBe(20);
    expect(await c.headBlob("acme/api", `sha256:${"1".repeat(64)}`)).toBeNull();

    const liar = await serve((_req, res) => void res.writeHead(200, { "content-length": 5 }).end("wrong"));
    const blob = await client(liar.url).getBlob("acme/api", digest);
    const e = (await rejection(new Response(blob.stream).arrayBuffer())) as RegistryError;
    expect(e).toBeInstanceOf(RegistryError);
    expect(e.codes).toEqual(["DIGEST_MISMATCH"]);
    expect(e.message).toContain(`5 bytes hash to ${sha256("wrong")}`);
  });
});

describe("blob streams", () => {
  it("fails a stalled blob stream with TIMEOUT after the idle timeout", async () => {
    const registry = await serve((_req, res) => {
      res.writeHead(200, { "content-length": 1000 });
      res.write(Buffer.alloc(10)); // then silence
    });
    const c = client(registry.url, { idleTimeoutMs: 150 });
    const blob = await c.getBlob("a", `sha256:${"1".repeat(64)}`);
    const started = performance.now();
    const e = (await rejection(new Response(blob.stream).arrayBuffer())) as RegistryError;
    expect(e).toBeInstanceOf(RegistryError);
    expect(e.codes).toEqual(["TIMEOUT"]);
    expect(e.message).toMatch(/^reading blob .*: TIMEOUT: no progress for 150 ms$/);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("referrers", () => {
  const subject = `sha256:${"e".repeat(64)}`;
  const sig = { mediaType: OCI_MANIFEST, digest: `sha256:${"5".repeat(64)}`, size: 10, artifactType: "application/vnd.dev.cosign.artifact.sig.v1+json" };
  const sbom = { mediaType: OCI_MANIFEST, digest: `sha256:${"6".repeat(64)}`, size: 11, artifactType: "application/spdx+json" };

  it("uses the referrers API and filters on our side when the registry did not", async () => {
    const registry = await serve((req, res) => sendJson(res, 200, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [sig, sbom] }, { "content-type": OCI_INDEX }));
    const c = client(registry.url);
    expect(await c.referrers("acme/api", subject)).toEqual([sig, sbom]);
    expect(await c.referrers("acme/api", subject, sbom.artifactType)).toEqual([sbom]);
    expect(registry.requests.map(line)).toEqual([`GET /v2/acme/api/referrers/${subject}`, `GET /v2/acme/api/referrers/${subject}?artifactType=application%2Fspdx%2Bjson`]);
  });

  it("falls back to the sha256-<hex> tag on 404, and ignores a tag that resolves to the subject (GitLab)", async () => {
    const registry = await fake();
    registry.addManifest("acme/api", { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [sig] }, OCI_INDEX, `sha256-${"e".repeat(64)}`);
    const c = client(registry.url);
    expect(await c.referrers("acme/api", subject)).toEqual([sig]);
    expect(registry.requests.map(line)).toEqual([`GET /v2/acme/api/referrers/${subject}`, `GET /v2/acme/api/manifests/sha256-${"e".repeat(64)}`]);
    expect(await c.referrers("other", subject)).toEqual([]);

    // GitLab answers the tag sha256-<hex> with the manifest sha256:<hex> itself.
    const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: `sha256:${"7".repeat(64)}`, size: 1 }] };
    const bytes = Buffer.from(JSON.stringify(index));
    const own = sha256(bytes);
    const gitlab = await serve((req, res) => {
      if (req.path.includes("/referrers/")) return sendError(res, 404, "NAME_UNKNOWN", "not found");
      res.writeHead(200, { "content-type": OCI_INDEX, "docker-content-digest": own }).end(bytes);
    });
    expect(await client(gitlab.url).referrers("acme/api", own)).toEqual([]);
  });
});

describe("ping", () => {
  it("reports reachability and auth without throwing", async () => {
    const open = await fake();
    expect(await client(open.url).ping()).toEqual({ ok: true, status: 200, authScheme: "none" });

    const locked = await serve((req, res) => {
      if (req.headers.authorization === `Basic ${Buffer.from("u:p").toString("base64")}`) return sendJson(res, 200, {});
      sendError(res, 401, "UNAUTHORIZED", "authentication required", { "www-authenticate": 'Basic realm="r"' });
    });
    const good = new RegistryClient({ endpoint: locked.url, credentials: { username: "u", password: "p" } });
    expect(await good.ping()).toEqual({ ok: true, status: 200, authScheme: "basic" });
    const bad = await new RegistryClient({ endpoint: locked.url, credentials: { username: "u", password: "nope" } }).ping();
    expect(bad).toMatchObject({ ok: false, status: 401, authScheme: "basic" });
    expect(bad.message).toMatch(/UNAUTHORIZED \(401\): authentication required/);
    expect(bad.message).not.toContain("nope");

    const closed = await serve(() => {});
    const port = closed.port;
    await closed.close();
    const down = await client(`http://127.0.0.1:${port}`, { retries: 0 }).ping();
    expect(down.ok).toBe(false);
    expect(down.status).toBe(0);
    expect(down.message).toMatch(/NETWORK/);
  });

  it("normalises Docker Hub endpoints and refuses credentials in the URL", () => {
    expect(new RegistryClient({ endpoint: "https://docker.io" }).registry).toBe("registry-1.docker.io");
    expect(() => new RegistryClient({ endpoint: "https://u:p@ghcr.io" })).toThrow(/must not contain credentials/);
    expect(() => new RegistryClient({ endpoint: "ftp://x" })).toThrow(InvalidReferenceError);
  });
});

// Keep the digest helper honest: it must agree with node:crypto.
it("sha256 helper matches node:crypto", () => {
  expect(sha256("abc")).toBe(`sha256:${createHash("sha256").update("abc").digest("hex")}`);
});

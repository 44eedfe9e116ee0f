import { afterEach, describe, expect, it } from "vitest";
import { withRegistryLane } from "./lanes";
import { RegistryClient } from "./client";
import { RegistryError } from "./errors";
import { OCI_MANIFEST } from "./media-types";
import { line, sendError, sendJson, startInFlightCounter, startServer, type LoopbackServer, type RecordedRequest } from "./testing/loopback";

const FAST = { backoffBaseMs: 5, backoffMaxMs: 20 };
const ALICE = { username: "alice", password: "wonderland" };
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;

const servers: LoopbackServer[] = [];
async function serve(...args: Parameters<typeof startServer>): Promise<LoopbackServer> {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function rejection(p: Promise<unknown>): Promise<RegistryError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RegistryError);
  return e as RegistryError;
}

/** A token server (GET realm?service&scope with Basic) and a registry that accepts the tokens in `valid`. */
async function tokenSetup(options: { registry?: (req: RecordedRequest) => "ok" | "deny" | undefined } = {}) {
  let issued = 0;
  const valid = new Set<string>();
  const state = { acceptTokens: true };
  const token = await serve((req, res) => {
    if (req.headers.authorization !== basic(ALICE.username, ALICE.password)) {
      return sendJson(res, 401, { details: "incorrect username or password" });
    }
    const t = `T${++issued}`;
    valid.add(t);
    sendJson(res, 200, { token: t, expires_in: 300, issued_at: new Date().toISOString() });
  });
  const registry = await serve((req, res) => {
    const challenge = `Bearer realm="${token.url}/token",service="test-registry",scope="repository:acme/api:pull"`;
    const presented = req.headers.authorization?.replace(/^Bearer /, "");
    const verdict = options.registry?.(req);
    if (verdict === "deny") return sendError(res, 403, "DENIED", "requested access to the resource is denied");
    if (!presented || !valid.has(presented) || !state.acceptTokens) {
      return sendError(res, 401, "UNAUTHORIZED", "authentication required", { "www-authenticate": challenge });
    }
    sendJson(res, 200, { name: "acme/api", tags: ["1.0", "latest"] });
  });
  return { token, registry, valid, state };
}

/** A one-chunk stream of `n` zero bytes, as an upload body. */
function zeroStream(n: number): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new Uint8Array(n));
      c.close();
    },
  });
}

describe("bearer auth", () => {
  it("answers the challenge with a token for the advertised scope and reuses it", async () => {
    const { token, registry } = await tokenSetup();
    const client = new RegistryClient({ endpoint: registry.url, credentials: ALICE, options: FAST });
    expect(await client.listTags("acme/api")).toEqual(["1.0", "latest"]);
    expect(registry.requests.map((r) => r.headers.authorization)).toEqual([undefined, "Bearer T1"]);
    expect(token.requests).toHaveLength(1);
    const t = token.requests[0]!;
    expect(t.method).toBe("GET");
    expect(t.path).toBe("/token");
    expect(t.query.get("service")).toBe("test-registry");
    expect(t.query.getAll("scope")).toEqual(["repository:acme/api:pull"]);
    expect(t.headers.authorization).toBe(basic("alice", "wonderland"));

    await client.listTags("acme/api");
    expect(registry.requests.map((r) => r.headers.authorization)).toEqual([undefined, "Bearer T1", "Bearer T1"]);
    expect(token.requests).toHaveLength(1);
  });

  it("refreshes once and retries once when a token expires mid-operation", async () => {
    const { token, registry, valid } = await tokenSetup();
    const client = new RegistryClient({ endpoint: registry.url, credentials: ALICE, options: FAST });
    await client.listTags("acme/api");
    valid.delete("T1"); // the registry now answers 401 to the old token
    expect(await client.listTags("acme/api")).toEqual(["1.0", "latest"]);
    expect(registry.requests.map((r) => r.headers.authorization)).toEqual([undefined, "Bearer T1", "Bearer T1", "Bearer T2"]);
    expect(token.requests).toHaveLength(2);
  });

  it("fails with UNAUTHORIZED after one refresh when the registry keeps refusing a good token", async () => {
    const { token, registry, state } = await tokenSetup();
    const client = new RegistryClient({ endpoint: registry.url, credentials: ALICE, options: FAST });
    await client.listTags("acme/api");
    state.acceptTokens = false; // tokens keep coming, none is accepted any more
    const err = await rejection(client.listTags("acme/api"));
    expect(err.codes).toEqual(["UNAUTHORIZED"]);
    expect(err.status).toBe(401);
    expect(err.registryMessage).toBe("authentication required");
    expect(err.message).toBe(`listing tags of ${registry.host}:${registry.port}/acme/api: UNAUTHORIZED (401): authentication required`);
    expect(registry.requests.slice(2).map((r) => r.headers.authorization)).toEqual(["Bearer T1", "Bearer T2"]);
    expect(token.requests).toHaveLength(2);
  });

  it("reports 403 DENIED with context and the registry's message, without retrying", async () => {
    const { registry } = await tokenSetup({ registry: (req) => (req.headers.authorization ? "deny" : undefined) });
    const client = new RegistryClient({ endpoint: registry.url, credentials: ALICE, options: FAST });
    const err = await rejection(client.listTags("acme/api"));
    expect(err.message).toBe(`listing tags of 127.0.0.1:${registry.port}/acme/api: DENIED (403): requested access to the resource is denied`);
    expect(err.isTemporary()).toBe(false);
    expect(registry.requests).toHaveLength(2);
  });

  it("says clearly when the token server refuses the credentials, and never echoes the secret", async () => {
    const { token, registry } = await tokenSetup();
    const client = new RegistryClient({ endpoint: registry.url, credentials: { username: "alice", password: "wrong-secret" }, options: FAST });
    const err = await rejection(client.listTags("acme/api"));
    expect(err.codes).toEqual(["UNAUTHORIZED"]);
    expect(err.message).toBe(
      `listing tags of 127.0.0.1:${registry.port}/acme/api: authenticating to 127.0.0.1:${registry.port} (token from 127.0.0.1:${token.port}): UNAUTHORIZED (401): incorrect username or password`,
    );
    expect(JSON.stringify({ m: err.message, u: err.url })).not.toContain("wrong-secret");
  });

  it("refuses a non-https token realm for a non-loopback registry unless insecure", async () => {
    const calls: string[] = [];
    const fakeFetch = (async (input: RequestInfo | URL) => {
      const url = new URL(String(input));
      calls.push(url.href);
      if (url.host === "auth.example.com") return Response.json({ access_token: "tok", expires_in: 120 });
      if (url.host === "registry.example.com" && calls.some((c) => c.startsWith("http://auth.example.com"))) return Response.json({ name: "acme/api", tags: ["x"] });
      return new Response('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', {
        status: 401,
        headers: { "www-authenticate": 'Bearer realm="http://auth.example.com/token",service="reg"' },
      });
    }) as typeof fetch;

    const strict = new RegistryClient({ endpoint: "https://registry.example.com", credentials: ALICE, fetch: fakeFetch, options: FAST });
    const err = await rejection(strict.listTags("acme/api"));
    expect(err.codes).toEqual(["UNAUTHORIZED"]);
    expect(err.message).toMatch(/token realm http:\/\/auth\.example\.com is not https; refusing to send credentials/);
    expect(calls.filter((c) => c.includes("auth.example.com"))).toEqual([]);

    const insecure = new RegistryClient({ endpoint: "https://registry.example.com", credentials: ALICE, fetch: fakeFetch, insecure: true, options: FAST });
    expect(await insecure.listTags("acme/api")).toEqual(["x"]);
    expect(calls.filter((c) => c.includes("auth.example.com"))).toEqual(["http://auth.example.com/token?service=reg&scope=repository%3Aacme%2Fapi%3Apull"]);
  });

  it("refuses Basic credentials over plain http to a non-loopback registry", async () => {
    const seen: (string | null)[] = [];
    const fakeFetch = (async (_input: RequestInfo | URL, init?: RequestInit) => {
      seen.push(new Headers(init?.headers).get("authorization"));
      return new Response("", { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } });
    }) as typeof fetch;
    const client = new RegistryClient({ endpoint: "http://registry.lan:5000", credentials: ALICE, fetch: fakeFetch, options: FAST });
    const err = await rejection(client.listTags("acme/api"));
    expect(err.message).toMatch(/refusing to send credentials over plain http/);
    expect(seen).toEqual([null]);
  });
});

describe("streamed bodies", () => {
  it("learns the scheme and gets a token before sending a body that cannot be replayed", async () => {
    const data = Buffer.from("streamed layer");
    const { createHash } = await import("node:crypto");
    const digest = `sha256:${createHash("sha256").update(data).digest("hex")}`;
    const tokens = await serve((req, res) => sendJson(res, 200, { access_token: `tok-${req.query.getAll("scope").join("+")}`, expires_in: 300 }));
    const registry = await serve((req, res) => {
      if (!req.headers.authorization?.startsWith("Bearer tok-")) {
        return sendError(res, 401, "UNAUTHORIZED", "authentication required", { "www-authenticate": `Bearer realm="${tokens.url}/token",service="reg"` });
      }
      if (req.method === "PUT") return void res.writeHead(201, { "docker-content-digest": digest }).end();
      res.writeHead(200).end("{}");
    });
    const client = new RegistryClient({ endpoint: registry.url, credentials: ALICE, options: FAST });
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array(data));
        c.close();
      },
    });
    await client.uploadBlob("acme/api", digest, data.length, stream, { location: "/v2/acme/api/blobs/uploads/s1?_state=1" });
    expect(registry.requests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
      ["GET", "/v2/", undefined],
      ["PUT", `/v2/acme/api/blobs/uploads/s1?_state=1&digest=${encodeURIComponent(digest)}`, "Bearer tok-repository:acme/api:pull,push"],
    ]);
    expect(registry.requests[1]!.body.toString()).toBe("streamed layer");
    expect(tokens.requests).toHaveLength(1);
  });

  it("never retries a streamed body: a 500 on its PUT fails the upload", async () => {
    const registry = await serve((req, res) => {
      if (req.method === "PUT") return void res.writeHead(500).end();
      res.writeHead(204).end();
    });
    const client = new RegistryClient({ endpoint: registry.url, options: FAST });
    const stream = zeroStream(3);
    const err = await rejection(client.uploadBlob("a", `sha256:${"0".repeat(64)}`, 3, stream, { location: "/v2/a/blobs/uploads/x" }));
    expect(err.status).toBe(500);
    // One PUT, then the best-effort DELETE of the session.
    expect(registry.requests.map(line)).toEqual(["GET /v2/", `PUT /v2/a/blobs/uploads/x?digest=sha256%3A${"0".repeat(64)}`, "DELETE /v2/a/blobs/uploads/x"]);
  });
});

describe("streamed bodies and memory", () => {
  it("sends a stream with redirect: error so undici does not tee (and hold) the whole body", async () => {
    const inits: RequestInit[] = [];
    const fakeFetch = (async (_input: RequestInfo | URL, init?: RequestInit) => {
      inits.push(init!);
      if (init?.body instanceof ReadableStream) await new Response(init.body).arrayBuffer();
      if (init?.method === "PUT") return new Response(null, { status: 201 });
      return new Response(null, { status: 202, headers: { location: "/v2/a/blobs/uploads/x?s=2" } });
    }) as typeof fetch;
    const client = new RegistryClient({ endpoint: "https://registry.example.com", fetch: fakeFetch, options: FAST });
    const stream = zeroStream(4);
    const digest = `sha256:${"0".repeat(64)}`;
    expect(await client.uploadBlob("a", digest, 4, stream, { location: "https://registry.example.com/v2/a/blobs/uploads/x?s=1" })).toBe(digest);
    const streamed = inits.filter((i) => i.body instanceof ReadableStream) as (RequestInit & { duplex?: string })[];
    expect(streamed.map((i) => [i.method, i.redirect, i.duplex])).toEqual([["PUT", "error", "half"]]);
    expect(inits.filter((i) => !(i.body instanceof ReadableStream)).every((i) => i.redirect === "manual")).toBe(true);
  });

  it("reports a redirect answered to a streamed upload as UNSUPPORTED", async () => {
    const registry = await serve((req, res) => {
      if (req.method === "PUT") return void res.writeHead(307, { location: "http://localhost:1/elsewhere" }).end();
      res.writeHead(204).end();
    });
    const client = new RegistryClient({ endpoint: registry.url, options: FAST });
    const stream = zeroStream(3);
    const err = await rejection(client.uploadBlob("a", `sha256:${"0".repeat(64)}`, 3, stream, { location: "/v2/a/blobs/uploads/x" }));
    expect(err.codes).toEqual(["UNSUPPORTED"]);
    expect(err.message).toMatch(/redirected a streamed upload/);
  });
});

describe("basic auth and credential providers", () => {
  it("sends Basic on every request once challenged, asking the provider each time", async () => {
    let password = "first";
    const registry = await serve((req, res) => {
      if (req.headers.authorization !== basic("AWS", password)) {
        return sendError(res, 401, "UNAUTHORIZED", "authentication required", { "www-authenticate": 'Basic realm="Registry Realm"' });
      }
      sendJson(res, 200, { name: "a", tags: [] });
    });
    let calls = 0;
    const client = new RegistryClient({ endpoint: registry.url, credentials: async () => (calls++, { username: "AWS", password }), options: FAST });
    await client.listTags("a");
    password = "second"; // e.g. a rotated ECR token
    await client.listTags("a");
    // The rotated password goes out on the very next request: no stale copy, no extra 401.
    expect(registry.requests.map((r) => r.headers.authorization)).toEqual([undefined, basic("AWS", "first"), basic("AWS", "second")]);
    expect(calls).toBe(2);
  });
});

describe("retries", () => {
  it("waits as long as Retry-After says on 429, then succeeds", async () => {
    const registry = await serve((req, res) => {
      if (registry.requests.length === 1) return sendError(res, 429, "TOOMANYREQUESTS", "slow down", { "retry-after": "1" });
      sendJson(res, 200, { name: "a", tags: ["t"] });
    });
    const client = new RegistryClient({ endpoint: registry.url, options: FAST });
    const started = performance.now();
    expect(await client.listTags("a")).toEqual(["t"]);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(registry.requests).toHaveLength(2);
  });

  it("fails at once with retryAfter set when Retry-After is beyond the cap", async () => {
    const registry = await serve((_req, res) => sendError(res, 429, "TOOMANYREQUESTS", "pull rate limit", { "retry-after": "120" }));
    const client = new RegistryClient({ endpoint: registry.url, options: FAST });
    const started = performance.now();
    const err = await rejection(client.listTags("a"));
    expect(performance.now() - started).toBeLessThan(900);
    expect(err.retryAfter).toBe(120);
    expect(err.codes).toEqual(["TOOMANYREQUESTS"]);
    expect(err.isTemporary()).toBe(true);
    expect(err.message).toMatch(/TOOMANYREQUESTS \(429\): pull rate limit \(retry after 120 s\)$/);
    expect(registry.requests).toHaveLength(1);
  });

  it("retries a 500 and succeeds", async () => {
    const registry = await serve((_req, res) => {
      if (registry.requests.length === 1) return void res.writeHead(500).end("boom");
      sendJson(res, 200, { name: "a", tags: ["t"] });
    });
    const client = new RegistryClient({ endpoint: registry.url, options: FAST });
    expect(await client.listTags("a")).toEqual(["t"]);
    expect(registry.requests.map(line)).toEqual(["GET /v2/a/tags/list", "GET /v2/a/tags/list"]);
  });

  it("gives up after options.retries and reports the last status", async () => {
    const registry = await serve((_req, res) => void res.writeHead(503, { "content-type": "text/plain" }).end("maintenance"));
    const client = new RegistryClient({ endpoint: registry.url, options: { ...FAST, retries: 2 } });
    const err = await rejection(client.listTags("a"));
    expect(err.status).toBe(503);
    expect(err.isTemporary()).toBe(true);
    expect(err.message).toBe(`listing tags of 127.0.0.1:${registry.port}/a: HTTP (503): maintenance`);
    expect(registry.requests).toHaveLength(3);
  });

  it("retries a dropped connection", async () => {
    const registry = await serve((_req, res) => {
      if (registry.requests.length === 1) return void res.socket?.destroy();
      sendJson(res, 200, { name: "a", tags: ["t"] });
    });
    const client = new RegistryClient({ endpoint: registry.url, options: FAST });
    expect(await client.listTags("a")).toEqual(["t"]);
    expect(registry.requests).toHaveLength(2);
  });

  it("times out a silent registry with a TIMEOUT error", async () => {
    const registry = await serve(() => {}); // never answers
    const client = new RegistryClient({ endpoint: registry.url, options: { ...FAST, timeoutMs: 150, retries: 0 } });
    const err = await rejection(client.listTags("a"));
    expect(err.codes).toEqual(["TIMEOUT"]);
    expect(err.isTemporary()).toBe(true);
  });

  it("HEADs (a tag table's one request per tag): the answer's headers as sent, one kept connection for many, a 3xx as it is, a silent one times out", async () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const registry = await serve((req, res) => {
      if (req.path.endsWith("/silent")) return; // never answers
      if (req.path.endsWith("/teapot")) return void res.writeHead(418).end();
      if (req.path.includes("/blobs/")) return void res.writeHead(307, { location: "http://127.0.0.2:9/elsewhere" }).end();
      res.writeHead(200, { "docker-content-digest": digest, "content-type": OCI_MANIFEST, "content-length": "1234", "x-many": ["a", "b"] }).end();
    });
    const client = new RegistryClient({ endpoint: registry.url, options: { ...FAST, timeoutMs: 150, retries: 0 } });
    for (const tag of ["1", "2", "3", "4", "5", "6"]) expect(await client.headManifest("a", tag)).toEqual({ digest, mediaType: OCI_MANIFEST, size: 1234 });
    // kept alive (undici's fetch closes a connection after each HEAD by default: see registryDispatcher)
    expect(new Set(registry.requests.map((r) => r.remotePort)).size).toBeLessThanOrEqual(2);
    // a redirect already means "exists" (the HEAD is not followed); its size then comes from a ranged GET
    await rejection(client.headBlob("a", digest));
    expect(registry.requests.filter((r) => r.method === "HEAD").map((r) => r.path).at(-1)).toBe(`/v2/a/blobs/${digest}`);
    // an error answer to a HEAD has no body: its status line is all there is to quote
    expect((await rejection(client.headManifest("a", "teapot"))).message).toContain("HTTP 418 I'm a Teapot");
    const err = await rejection(client.headManifest("a", "silent"));
    expect(err.codes).toEqual(["TIMEOUT"]);
  });
});

describe("redirects", () => {
  it("follows a blob redirect to another host without Authorization, and keeps it on the same host", async () => {
    const content = Buffer.from("layer bytes");
    const { createHash } = await import("node:crypto");
    const digest = `sha256:${createHash("sha256").update(content).digest("hex")}`;
    const storage = await serve((req, res) => {
      if (req.headers.range === "bytes=0-0") return void res.writeHead(206, { "content-range": `bytes 0-0/${content.length}`, "content-length": 1 }).end(content.subarray(0, 1));
      res.writeHead(200, { "content-length": content.length }).end(content);
    }, "localhost");
    const registry = await serve((req, res) => {
      if (req.headers.authorization !== basic("alice", "wonderland")) {
        return sendError(res, 401, "UNAUTHORIZED", "authentication required", { "www-authenticate": 'Basic realm="Registry Realm"' });
      }
      if (req.path === "/v2/acme/api/blobs/" + digest) {
        const target = req.query.get("local") ? `/storage/x?sig=1` : `http://localhost:${storage.port}/bucket/blob?X-Amz-Signature=secret`;
        return void res.writeHead(307, { location: target }).end();
      }
      if (req.path === "/storage/x") return void res.writeHead(200, { "content-length": content.length }).end(content);
      res.writeHead(404).end();
    });
    const client = new RegistryClient({ endpoint: registry.url, credentials: ALICE, options: FAST });

    const blob = await client.getBlob("acme/api", digest);
    expect(Buffer.from(await new Response(blob.stream).arrayBuffer()).toString()).toBe("layer bytes");
    expect(blob.size).toBe(content.length);
    expect(storage.requests).toHaveLength(1);
    expect(storage.requests[0]!.url).toBe("/bucket/blob?X-Amz-Signature=secret");
    expect(storage.requests[0]!.headers.authorization).toBeUndefined();
    expect(storage.requests[0]!.headers.host).toBe(`localhost:${storage.port}`);

    // HEAD: a redirect means "exists"; the size comes from a one-byte ranged GET, again without Authorization.
    expect(await client.headBlob("acme/api", digest)).toBe(content.length);
    expect(storage.requests[1]!.method).toBe("GET");
    expect(storage.requests[1]!.headers.range).toBe("bytes=0-0");
    expect(storage.requests[1]!.headers.authorization).toBeUndefined();
    expect(registry.requests.filter((r) => r.method === "HEAD")).toHaveLength(1);
  });

  it("keeps Authorization on a redirect within the registry host", async () => {
    const registry = await serve((req, res) => {
      if (!req.headers.authorization) return sendError(res, 401, "UNAUTHORIZED", "auth", { "www-authenticate": 'Basic realm="r"' });
      if (req.path === "/v2/a/tags/list") return void res.writeHead(307, { location: "/v2/b/tags/list" }).end();
      sendJson(res, 200, { name: "b", tags: ["moved"] });
    });
    const client = new RegistryClient({ endpoint: registry.url, credentials: ALICE, options: FAST });
    expect(await client.listTags("a")).toEqual(["moved"]);
    expect(registry.requests.at(-1)!.path).toBe("/v2/b/tags/list");
    expect(registry.requests.at(-1)!.headers.authorization).toBe(basic("alice", "wonderland"));
  });

  it("stops after too many redirects", async () => {
    const registry = await serve((_req, res) => void res.writeHead(302, { location: "/v2/a/tags/list" }).end());
    const client = new RegistryClient({ endpoint: registry.url, options: { ...FAST, retries: 0 } });
    const err = await rejection(client.listTags("a"));
    expect(err.message).toMatch(/more than 5 redirects/);
    expect(registry.requests).toHaveLength(6);
  });
});

describe("concurrency", () => {
  it("keeps at most concurrencyPerHost requests in flight per host", async () => {
    const registry = await startInFlightCounter();
    servers.push(registry);
    const client = new RegistryClient({ endpoint: registry.url, options: { ...FAST, concurrencyPerHost: 2 } });
    await Promise.all(Array.from({ length: 6 }, () => client.listTags("a")));
    expect(registry.requests).toHaveLength(6);
    expect(registry.peak()).toBe(2);
  });

  it("shares the bound between clients of one host and takes turns between users (lanes)", async () => {
    let inFlight = 0;
    let peak = 0;
    const order: string[] = [];
    const registry = await serve(async (req, res) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      order.push(String(req.headers["user-agent"]));
      sendJson(res, 200, { name: "a", tags: [] });
    });
    // two clients (two registry rows on one host): one bound of 2, not 2 each
    const big = new RegistryClient({ endpoint: registry.url, userAgent: "big", options: { ...FAST, concurrencyPerHost: 2 } });
    const small = new RegistryClient({ endpoint: registry.url, userAgent: "small", options: { ...FAST, concurrencyPerHost: 2 } });
    // user A asks for 20 at once, user B for 2 a moment later: B's wait is a turn, not A's whole queue
    const a = withRegistryLane("user-a", () => Promise.all(Array.from({ length: 20 }, () => big.listTags("a"))));
    await new Promise((r) => setTimeout(r, 5));
    const b = withRegistryLane("user-b", () => Promise.all(Array.from({ length: 2 }, () => small.listTags("a"))));
    await Promise.all([a, b]);
    expect(peak).toBe(2);
    const lastSmall = order.lastIndexOf("small");
    expect(lastSmall).toBeGreaterThan(-1);
    expect(lastSmall).toBeLessThan(8);
  });
});

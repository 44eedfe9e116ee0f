// The one server of `npm start` (scripts/lib/server.ts): it answers registry webhooks, API-token
// tag lists and API-token promotions (the POST, the GET ?wait=) itself, against real PostgreSQL and a real registry:2, with the same answers as Next's
// route handlers; everything else goes to Next's request handler in the same process (a stand-in
// for Next here, which echoes what it received; the e2e suite and the two-instance test run the
// real one).
import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import * as secretRoute from "@/app/api/v1/registries/[id]/webhook/route";
import * as tagsRoute from "@/app/api/v1/registries/[id]/tags/route";
import * as promotionRoute from "@/app/api/v1/promotions/[id]/route";
import { machineRoute } from "@/app/api/v1/machine-routes";
import securityHeaders from "@/lib/api/security-headers.json";
import { db } from "@/lib/db";
import { createServer, type NextHandler } from "../../scripts/lib/server";
import { pushImage, pushManyTags, startRegistry, type RunningRegistry } from "../harness";
import { call, userWithToken } from "../support/api";

interface Seen { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }

const seen: Seen[] = [];
let server: http.Server;
let base: string;
let reg: RunningRegistry;
let admin: string;
let viewer: string;
let registryId: string;
let secret: string;

/** A request through the server with node:http (fetch will not send a Host header of our choosing). */
function send(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; raw: Buffer; text: string; json: () => any }>((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method: opts.method ?? "GET", headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const raw = Buffer.concat(chunks);
        const text = res.headers["content-encoding"] === "gzip" ? zlib.gunzipSync(raw).toString() : raw.toString();
        resolve({ status: res.statusCode!, headers: res.headers, raw, text, json: () => JSON.parse(text) });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

beforeAll(async () => {
  // the stand-in for Next's request handler: echoes the request, sets two cookies, streams /slow in three pieces
  const next: NextHandler = (req, res) => new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      resolve();
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url === "/slow") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("one ");
        setTimeout(() => res.write("two "), 50);
        setTimeout(() => res.end("three"), 100);
        return;
      }
      res.setHeader("set-cookie", ["a=1; Path=/; HttpOnly", "b=2; Path=/"]);
      res.writeHead(203, { "content-type": "application/json", "x-from": "upstream" });
      res.end(JSON.stringify({ method: req.method, url: req.url }));
    });
  });
  server = createServer({ next, publicPort: 8443, route: machineRoute, headers: securityHeaders });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  admin = (await userWithToken("ADMIN")).token;
  viewer = (await userWithToken("VIEWER")).token;
  reg = await startRegistry({ mode: "open", name: "front" });
  await pushImage(reg, "team/app:1.0.0", { layers: [{ files: { "a.txt": "front\n" } }] });
  await pushImage(reg, "team/app:1.10.0", { layers: [{ files: { "b.txt": "front 2\n" } }] });
  await pushImage(reg, "team/many:v0", { layers: [{ files: { "c.txt": "front many\n" } }] });
  await pushManyTags(reg, "team/many", 80, "v0");
  const created = await call(collection.POST, { token: admin, method: "POST", body: { name: "front-reg", kind: "GENERIC", endpoint: reg.url } });
  expect(created.status, created.text).toBe(201);
  registryId = created.json.id;
  const s = await call(secretRoute.POST, { token: admin, method: "POST", params: { id: registryId } });
  secret = s.json.secret;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await reg?.stop();
});

describe("everything else goes to Next's handler unchanged", () => {
  it("passes method, path, query, Host, body, status, headers and every cookie; sets X-Forwarded-* as Next would", async () => {
    seen.length = 0;
    const res = await send("/api/auth/callback/credentials?x=1&y=%2F", { method: "POST", headers: { host: "regatta.example.com", "content-type": "application/x-www-form-urlencoded" }, body: "email=a%40b.c&password=p" });
    expect(res.status).toBe(203);
    expect(res.headers["x-from"]).toBe("upstream");
    expect(res.headers["set-cookie"]).toEqual(["a=1; Path=/; HttpOnly", "b=2; Path=/"]);
    expect(res.json()).toEqual({ method: "POST", url: "/api/auth/callback/credentials?x=1&y=%2F" });
    const got = seen.at(-1)!;
    expect(got.body).toBe("email=a%40b.c&password=p");
    expect(got.headers).toMatchObject({ host: "regatta.example.com", "x-forwarded-host": "regatta.example.com", "x-forwarded-port": "8443", "x-forwarded-proto": "http", "x-forwarded-for": "127.0.0.1" });
    // a client's own forwarded headers are replaced: Next must be able to believe what the server says
    await send("/login", { headers: { "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https", "x-forwarded-host": "evil.example" } });
    expect(seen.at(-1)!.headers).toMatchObject({ "x-forwarded-for": "127.0.0.1", "x-forwarded-proto": "http", "x-forwarded-host": "127.0.0.1:" + base.split(":").at(-1) });
    // … unless the socket's peer is a proxy in REGATTA_TRUSTED_PROXIES: then the nearest untrusted hop counts
    process.env.REGATTA_TRUSTED_PROXIES = "127.0.0.0/8";
    try {
      await send("/login", { headers: { "x-forwarded-for": "198.51.100.9, 203.0.113.7", "x-forwarded-proto": "https", "x-forwarded-host": "regatta.example.com" } });
      expect(seen.at(-1)!.headers).toMatchObject({ "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https", "x-forwarded-host": "regatta.example.com" });
    } finally {
      delete process.env.REGATTA_TRUSTED_PROXIES;
    }
  });

  it("streams an answer as it comes", async () => {
    // the first piece arrives before the last one is written (100 ms later): nothing buffers the answer
    const [first, last] = await new Promise<[number, number]>((resolve, reject) => {
      http.get(`${base}/slow`, (res) => {
        let firstAt = 0;
        res.on("data", () => (firstAt ||= performance.now()));
        res.on("end", () => resolve([firstAt, performance.now()]));
        res.on("error", reject);
      }).on("error", reject);
    });
    expect(last - first).toBeGreaterThanOrEqual(60);
    expect((await send("/slow")).text).toBe("one two three");
  });

  it("keeps an idle kept-alive connection open past Node's 5 s default: a client's next request goes on the same socket", async () => {
    // a client (Playwright's request context, a load balancer) that keeps sockets for longer than
    // the server does may send on one the server is closing: that request fails as ECONNRESET
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () => new Promise<{ reused: boolean; keepAlive: unknown }>((resolve, reject) => {
      const req = http.get(`${base}/echo`, { agent }, (res) => {
        res.resume();
        res.on("end", () => resolve({ reused: req.reusedSocket, keepAlive: res.headers["keep-alive"] }));
      });
      req.on("error", reject);
    });
    try {
      expect((await get()).keepAlive).toBe("timeout=65");
      await new Promise((r) => setTimeout(r, 6_500));
      expect((await get()).reused).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it("a session's tag list (no API token) is Next's to answer", async () => {
    seen.length = 0;
    const res = await send(`/api/v1/registries/${registryId}/tags?repository=team/app`, { headers: { cookie: "authjs.session-token=x" } });
    expect(res.status).toBe(203);
    expect(seen).toHaveLength(1);
  });

  it("says plainly when Next's handler fails: JSON for the API, text for pages, with the request id", async () => {
    const broken = createServer({ next: async () => { throw new Error("boom at /secret/path.ts"); }, publicPort: 1, route: machineRoute });
    await new Promise<void>((r) => broken.listen(0, "127.0.0.1", r));
    const at = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
    try {
      const api = await fetch(`${at}/api/v1/me`);
      expect(api.status).toBe(500);
      expect(api.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      const body = await api.text();
      expect(JSON.parse(body).error).toMatchObject({ code: "INTERNAL" });
      expect(body).not.toContain("boom");
      const page = await fetch(`${at}/registries`);
      expect(page.status).toBe(500);
      expect(await page.text()).toContain("try again in a moment");
    } finally {
      await new Promise((r) => broken.close(r));
    }
  });
});

describe("what the server answers itself", () => {
  it("the tag list for an API token: Next's handler is not called, and the answer is the route handler's", async () => {
    seen.length = 0;
    const res = await send(`/api/v1/registries/${registryId}/tags?repository=team/app`, { headers: { authorization: `Bearer ${viewer}`, "accept-encoding": "gzip" } });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(0);
    expect(res.headers["content-type"]).toContain("application/json");
    expect(res.headers["server-timing"]).toMatch(/registry;dur=/);
    // the same security headers as Next's answers (next.config.js reads the same list)
    for (const { key, value } of securityHeaders) expect(res.headers[key.toLowerCase()]).toBe(value);
    const direct = await tagsRoute.GET(new Request(`http://x/api/v1/registries/${registryId}/tags?repository=team/app`, { headers: { authorization: `Bearer ${viewer}` } }), { params: Promise.resolve({ id: registryId }) });
    const mine = res.json();
    const theirs = await direct.json();
    expect(mine.tags.map((t: { name: string }) => t.name)).toEqual(["1.0.0", "1.10.0"]); // version order
    expect({ ...mine, at: "" }).toEqual({ ...theirs, at: "" });
  });

  it("gzips an answer only for a client that takes it", async () => {
    const path = `/api/v1/registries/${registryId}/tags?repository=team/many`;
    const plain = await send(path, { headers: { authorization: `Bearer ${viewer}` } });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.json().tags.length).toBeGreaterThan(80);
    const zipped = await send(path, { headers: { authorization: `Bearer ${viewer}`, "accept-encoding": "gzip, br" } });
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.raw.length).toBeLessThan(plain.raw.length);
    expect({ ...zipped.json(), at: "" }).toEqual({ ...plain.json(), at: "" });
  });

  it("a wrong token, a missing repository, an unknown registry: the API's JSON errors", async () => {
    const path = `/api/v1/registries/${registryId}/tags?repository=team/app`;
    const bad = await send(path, { headers: { authorization: "Bearer rgt_not-a-token" } });
    expect(bad.status).toBe(401);
    expect(bad.json().error.code).toBe("UNAUTHENTICATED");
    const noRepo = await send(`/api/v1/registries/${registryId}/tags`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(noRepo.status).toBe(422);
    expect(noRepo.json().error.message).toMatch(/repository/);
    const unknown = await send(`/api/v1/registries/00000000-0000-4000-8000-000000000000/tags?repository=team/app`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(unknown.status).toBe(404);
    const gone = await send(`/api/v1/registries/${registryId}/tags?repository=team/nothing`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(gone.status).toBe(404);
    expect(gone.json().error.message).not.toMatch(/at .*\.ts/); // no stack
  });

  it("a promotion for an API token: the POST and the GET that waits are the server's, answered as Next's routes answer", async () => {
    seen.length = 0;
    const body = JSON.stringify({ source: { registryId, repository: "team/app", reference: "1.0.0" }, target: { registryId, repository: "team/app", tag: "front-promoted" } });
    const json = { authorization: `Bearer ${admin}`, "content-type": "application/json" };
    // a retag within one repository: done at once, 200
    const done = await send("/api/v1/promotions", { method: "POST", headers: json, body });
    expect(done.status, done.text).toBe(200);
    expect(done.json()).toMatchObject({ kind: "retag", state: "succeeded", target: { tag: "front-promoted" } });
    for (const { key, value } of securityHeaders) expect(done.headers[key.toLowerCase()]).toBe(value);
    // the registry itself says the tag is there, on the digest of 1.0.0
    const head = (ref: string) => fetch(`${reg.url}/v2/team/app/manifests/${ref}`, { method: "HEAD", headers: { accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json" } });
    expect((await head("front-promoted")).headers.get("docker-content-digest")).toBe((await head("1.0.0")).headers.get("docker-content-digest"));
    // the GET that waits (a viewer may read it), the same answer as Next's route gives
    const got = await send(`/api/v1/promotions/${done.json().id}?wait=5`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(got.status).toBe(200);
    const direct = await promotionRoute.GET(new Request(`http://x/api/v1/promotions/${done.json().id}`, { headers: { authorization: `Bearer ${viewer}` } }), { params: Promise.resolve({ id: done.json().id }) });
    expect(got.json()).toEqual(await direct.json());
    expect(seen).toHaveLength(0);
  });

  it("a promotion's refusals through the server: a viewer's 403, a body that is not JSON 400, one over 1 MiB 413; nothing changes", async () => {
    seen.length = 0;
    const count = () => db.promotion.count();
    const before = await count();
    const body = JSON.stringify({ source: { registryId, repository: "team/app", reference: "1.0.0" }, target: { registryId, repository: "team/app", tag: "front-refused" } });
    const asViewer = await send("/api/v1/promotions", { method: "POST", headers: { authorization: `Bearer ${viewer}`, "content-type": "application/json" }, body });
    expect(asViewer.status).toBe(403);
    const notJson = await send("/api/v1/promotions", { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: "{not json" });
    expect(notJson.status).toBe(400);
    expect(notJson.json().error.message).toMatch(/not valid JSON/);
    const large = await send("/api/v1/promotions", { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: `{"pad":"${"x".repeat(1024 * 1024 + 16)}"}` }).catch((e: Error) => e);
    if (!(large instanceof Error)) expect(large.status).toBe(413);
    const unknown = await send("/api/v1/promotions/00000000-0000-4000-8000-000000000000?wait=1", { headers: { authorization: `Bearer ${viewer}` } });
    expect(unknown.status).toBe(404);
    expect(await count()).toBe(before);
    expect((await fetch(`${reg.url}/v2/team/app/manifests/front-refused`, { method: "HEAD" })).status).toBe(404);
    expect(seen).toHaveLength(0);
    // a browser's promotion (session cookie) is Next's
    await send("/api/v1/promotions", { method: "POST", headers: { cookie: "authjs.session-token=x", "content-type": "application/json" }, body });
    expect(seen).toHaveLength(1);
  });

  it("a caller that leaves its GET ?wait= ends the server's wait at once, not 30 s later", async () => {
    // a queued promotion nobody runs here (no workers in this file)
    const row = await db.promotion.create({ data: { sourceRegistryId: registryId, sourceRepository: "team/app", sourceReference: "1.0.0", targetRegistryId: registryId, targetRepository: "team/other", targetTag: "waiting", kind: "promote", requestedBy: "front@test" } });
    // the same server, told when each of its own routes has answered
    const answered: number[] = [];
    const watched = createServer({
      next: async () => {}, publicPort: 1,
      route: (method, path, authorization) => {
        const own = machineRoute(method, path, authorization);
        return own && (async (req, body) => own(req, body).finally(() => answered.push(performance.now())));
      },
    });
    await new Promise<void>((r) => watched.listen(0, "127.0.0.1", r));
    try {
      const left = await new Promise<number>((resolve) => {
        const req = http.request(`http://127.0.0.1:${(watched.address() as AddressInfo).port}/api/v1/promotions/${row.id}?wait=30`, { headers: { authorization: `Bearer ${viewer}` }, agent: false });
        req.on("error", () => {});
        req.end();
        setTimeout(() => (req.destroy(), resolve(performance.now())), 300);
      });
      await expect.poll(() => answered.length, { timeout: 5_000 }).toBe(1);
      expect(answered[0]! - left).toBeLessThan(2_000);
    } finally {
      await new Promise((r) => watched.close(r));
      await db.promotion.delete({ where: { id: row.id } });
    }
  });

  it("a registry webhook: stored with the caller's address, Next's handler is not called; a wrong secret is 401 and recorded", async () => {
    seen.length = 0;
    const digest = `sha256:${"c".repeat(64)}`;
    const envelope = JSON.stringify({ events: [{
      id: crypto.randomUUID(), timestamp: new Date().toISOString(), action: "push",
      target: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest, size: 400, repository: "team/app", tag: "2.0.0" },
      request: { addr: "10.0.0.5:41234", method: "PUT", useragent: "skopeo" }, actor: { name: "erin" },
    }] });
    const ok = await send(`/api/v1/webhooks/registry/${registryId}`, { method: "POST", headers: { authorization: `Bearer ${secret}`, "content-type": "application/json", "x-forwarded-for": "198.51.100.4" }, body: envelope });
    expect(ok.status).toBe(202);
    expect(ok.json()).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    const ev = await db.auditEvent.findFirstOrThrow({ where: { registryId, action: "registry.push", tag: "2.0.0" } });
    expect(ev).toMatchObject({ actor: "erin", digest, repository: "team/app" });
    // the client's X-Forwarded-For is not believed (no trusted proxy): the socket's address is stored
    expect((ev.details as { deliveredFrom: string }).deliveredFrom).toBe("127.0.0.1");

    const wrong = await send(`/api/v1/webhooks/registry/${registryId}`, { method: "POST", headers: { authorization: "Bearer rwh_wrong" }, body: envelope });
    expect(wrong.status).toBe(401);
    expect(wrong.headers["x-content-type-options"]).toBe("nosniff");
    const rejected = await db.auditEvent.findFirstOrThrow({ where: { registryId, action: "webhook.rejected" }, orderBy: { id: "desc" } });
    expect(rejected.sourceAddress).toBe("127.0.0.1");
    expect(seen).toHaveLength(0);
  });

  it("a webhook body over the limit is 413 without being read to the end; nothing is stored", async () => {
    const stored = () => db.auditEvent.count({ where: { registryId, action: { not: "webhook.rejected" } } });
    const before = await stored();
    const big = Buffer.alloc(3 * 1024 * 1024, "x");
    const res = await send(`/api/v1/webhooks/registry/${registryId}`, { method: "POST", headers: { authorization: `Bearer ${secret}`, "transfer-encoding": "chunked" }, body: big }).catch((e: Error) => e);
    // the server answers 413 and closes; a client still sending may see the connection reset instead
    if (!(res instanceof Error)) {
      expect(res.status).toBe(413);
      expect(res.json().error.code).toBe("PAYLOAD_TOO_LARGE");
    }
    const declared = await send(`/api/v1/webhooks/registry/${registryId}`, { method: "POST", headers: { authorization: `Bearer ${secret}`, "content-length": String(big.length) }, body: big }).catch((e: Error) => e);
    if (!(declared instanceof Error)) expect(declared.status).toBe(413);
    expect([res, declared].some((r) => !(r instanceof Error))).toBe(true);
    expect(await stored()).toBe(before);
  });
});

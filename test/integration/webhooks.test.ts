// Registry webhooks end to end: a real registry:2 (htpasswd) posts its notifications to a loopback
// server here, which hands each POST, raw, to the route handler. Digests checked with skopeo.
// Docker Hub, Harbor, Quay and GitHub payloads come from fixtures.
import { createHmac } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import * as item from "@/app/api/v1/registries/[id]/route";
import * as secretRoute from "@/app/api/v1/registries/[id]/webhook/route";
import * as hook from "@/app/api/v1/webhooks/registry/[registryId]/route";
import { db } from "@/lib/db";
import { buildImage, skopeoInspect, skopeoPush, startRegistry, registryFetch, type RunningRegistry } from "../harness";
import { call, userWithToken } from "../support/api";

interface Delivery { body: Buffer; headers: Record<string, string>; status: number; answer: string }

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, "../fixtures/webhooks", name));

let admin: string;
let server: http.Server;
let hookUrl: string;
const deliveries: Delivery[] = [];
// which Regatta registry the loopback server forwards to (set once it exists)
let forwardTo = "";

async function deliver(registryId: string, body: Buffer | string, headers: Record<string, string>, query = "") {
  const req = new Request(`http://127.0.0.1:3000/api/v1/webhooks/registry/${registryId}${query}`, {
    method: "POST", headers: { "x-forwarded-for": "127.0.0.9", ...headers }, body: typeof body === "string" ? body : new Uint8Array(body),
  });
  const res = await hook.POST(req, { params: Promise.resolve({ registryId }) });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

async function newRegistry(kind: string, name: string, extra: Record<string, unknown> = {}) {
  const res = await call(collection.POST, { token: admin, method: "POST", body: { name, kind, ...extra } });
  expect(res.status, res.text).toBe(201);
  const s = await call(secretRoute.POST, { token: admin, method: "POST", params: { id: res.json.id }, headers: { host: "regatta.example.com", "x-forwarded-proto": "https" } });
  expect(s.status, s.text).toBe(200);
  return { id: res.json.id as string, secret: s.json.secret as string, answer: s.json };
}

async function until<T>(fn: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  admin = (await userWithToken("ADMIN")).token;
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      delete headers["content-length"];
      delete headers.host;
      const out = await deliver(forwardTo, body, headers);
      deliveries.push({ body, headers, status: out.status, answer: out.text });
      res.writeHead(out.status, { "content-type": "application/json" }).end(out.text);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
});

describe("webhook secret", () => {
  it("is made by an admin, shown once, stored only as a hash, and audited", async () => {
    const { id, secret, answer } = await newRegistry("GENERIC", "wh-secret", { endpoint: "http://127.0.0.1:1" });
    expect(answer.url).toBe(`https://regatta.example.com/api/v1/webhooks/registry/${id}`);
    expect(secret).toMatch(/^rwh_[\w-]{43}$/);
    const row = await db.registry.findUniqueOrThrow({ where: { id }, omit: { webhookSecretHash: false } });
    expect(row.webhookSecretHash).not.toContain(secret);
    expect(row.webhookSecretHash).toMatch(/\$[0-9a-f]{64}$/);
    const ev = await db.auditEvent.findFirstOrThrow({ where: { registryId: id, action: "registry.webhook_secret" } });
    expect(JSON.stringify({ ...ev, id: String(ev.id) })).not.toContain(secret);
    const viewer = (await userWithToken("VIEWER")).token;
    expect((await call(secretRoute.POST, { token: viewer, method: "POST", params: { id } })).status).toBe(403);
    // a new secret replaces the old one
    const again = await call(secretRoute.POST, { token: admin, method: "POST", params: { id } });
    expect(again.json.secret).not.toBe(secret);
    expect((await deliver(id, '{"events":[]}', { authorization: `Bearer ${secret}` })).status).toBe(401);
    expect((await deliver(id, '{"events":[]}', { authorization: `Bearer ${again.json.secret}` })).status).toBe(202);
  });
});

describe("registry:2 notifications from a real registry", () => {
  let reg: RunningRegistry;
  let regattaId: string;
  let secret: string;

  beforeAll(async () => {
    const made = await newRegistry("GENERIC", "wh-distribution", { endpoint: "http://127.0.0.1:1" });
    regattaId = made.id;
    secret = made.secret;
    forwardTo = regattaId;
    reg = await startRegistry({ mode: "htpasswd", name: "webhooks", users: { "carol-ci": "carol-secret" }, notifications: { url: hookUrl, headers: { Authorization: `Bearer ${secret}` } } });
    const p = await call(item.PATCH, { token: admin, method: "PATCH", params: { id: regattaId }, body: { endpoint: reg.url, credentials: { username: "carol-ci", password: "carol-secret" } } });
    expect(p.status).toBe(200);
  });

  afterAll(async () => {
    await reg?.stop();
  });

  it("records a skopeo push with repository, tag, digest and the htpasswd user; a replay adds nothing", async () => {
    const image = await buildImage({ layers: [{ files: { "app.txt": "v1\n" } }] }, "v1");
    const digest = await skopeoPush(reg, image.src, "team/app:1.0");
    expect((await skopeoInspect(reg, "team/app:1.0")).Digest).toBe(digest);
    const ev = await until(() => db.auditEvent.findFirst({ where: { registryId: regattaId, action: "registry.push", tag: "1.0" } }));
    expect(ev).toMatchObject({ actorKind: "REGISTRY", actor: "carol-ci", repository: "team/app", tag: "1.0", digest, outcome: "success", previousDigest: null });
    expect(ev.eventKey).toMatch(new RegExp(`^${regattaId}:[0-9a-f-]{36}$`));
    expect(ev.sourceAddress).toBe("127.0.0.1");
    // blob pushes arrive too but are not tag events
    const manifestDelivery = await until(async () => deliveries.find((d) => (JSON.parse(d.body.toString()) as { events: { target: { tag?: string } }[] }).events.some((e) => e.target.tag === "1.0")));
    expect(manifestDelivery.status).toBe(202);
    expect(manifestDelivery.headers["content-type"]).toContain("application/vnd.docker.distribution.events.v1+json");
    expect(deliveries.every((d) => d.status === 202)).toBe(true);
    const totals = deliveries.reduce((a, d) => { const j = JSON.parse(d.answer); return { accepted: a.accepted + j.accepted, ignored: a.ignored + j.ignored }; }, { accepted: 0, ignored: 0 });
    expect(totals.accepted).toBe(1);
    expect(totals.ignored).toBeGreaterThan(0);

    const record = await db.tagRecord.findUniqueOrThrow({ where: { registryId_repository_tag: { registryId: regattaId, repository: "team/app", tag: "1.0" } } });
    expect(record).toMatchObject({ digest, pushedBy: "carol-ci" });
    const changes = await db.tagChange.findMany({ where: { registryId: regattaId, repository: "team/app", tag: "1.0" } });
    expect(changes).toMatchObject([{ digest, previousDigest: null, source: "EVENT", actor: "carol-ci" }]);

    // the registry retries a delivery it thinks failed: the same event ids add nothing
    const before = await db.auditEvent.count();
    const replay = await deliver(regattaId, manifestDelivery.body, manifestDelivery.headers);
    expect(replay.status).toBe(202);
    expect(replay.json).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await db.auditEvent.count()).toBe(before);
    expect(await db.tagChange.count({ where: { registryId: regattaId, tag: "1.0" } })).toBe(1);
  });

  it("moves the tag on a second push (previous digest kept), ignores the HEADs that look like pulls, and records a delete", async () => {
    const first = (await db.tagRecord.findUniqueOrThrow({ where: { registryId_repository_tag: { registryId: regattaId, repository: "team/app", tag: "1.0" } } })).digest;
    const image = await buildImage({ layers: [{ files: { "app.txt": "v2\n" } }] }, "v2");
    const digest = await skopeoPush(reg, image.src, "team/app:1.0");
    expect(digest).not.toBe(first);
    const ev = await until(() => db.auditEvent.findFirst({ where: { registryId: regattaId, action: "registry.push", tag: "1.0", digest } }));
    expect(ev.previousDigest).toBe(first);
    expect(ev.actor).toBe("carol-ci");
    // pushing the same image again only HEADs existing blobs: registry 2.8 reports those as pulls
    const n = deliveries.length;
    await skopeoPush(reg, image.src, "team/app:1.0-again");
    await until(() => db.auditEvent.findFirst({ where: { registryId: regattaId, tag: "1.0-again" } }));
    await new Promise((r) => setTimeout(r, 500));
    const later = deliveries.slice(n).map((d) => JSON.parse(d.body.toString()) as { events: { action: string }[] });
    expect(later.flatMap((b) => b.events).some((e) => e.action === "pull")).toBe(true);
    expect(await db.auditEvent.count({ where: { registryId: regattaId, action: { notIn: ["registry.push", "registry.delete", "registry.webhook_secret", "registry.create", "registry.update"] } } })).toBe(0);

    // delete by digest: registry 2.8 sends one event for the manifest and one per tag on it
    const del = await registryFetch(reg, `/v2/team/app/manifests/${digest}`, { method: "DELETE" });
    expect(del.status).toBe(202);
    const dels = await until(async () => {
      const rows = await db.auditEvent.findMany({ where: { registryId: regattaId, action: "registry.delete" } });
      return rows.length >= 3 ? rows : null;
    });
    expect(dels.map((d) => d.tag).filter(Boolean).sort()).toEqual(["1.0", "1.0-again"]);
    expect(dels.find((d) => !d.tag)?.digest).toBe(digest);
    expect(await db.tagRecord.count({ where: { registryId: regattaId, repository: "team/app" } })).toBe(0);
    const gone = await db.tagChange.findFirstOrThrow({ where: { registryId: regattaId, tag: "1.0", digest: null } });
    expect(gone.previousDigest).toBe(digest);
  });

  it("never records an image deletion for a blob delete (registry 2.8 sends it as { repository, digest }, like a manifest delete)", async () => {
    const image = await buildImage({ layers: [{ files: { "blob.txt": "blob\n" } }] }, "blob");
    const digest = await skopeoPush(reg, image.src, "team/blob:1.0");
    await until(() => db.auditEvent.findFirst({ where: { registryId: regattaId, tag: "1.0", repository: "team/blob" } }));
    const manifest = await (await registryFetch(reg, `/v2/team/blob/manifests/${digest}`, { headers: { accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json" } })).json() as { layers: { digest: string }[] };
    const layer = manifest.layers[0]!.digest;
    const n = deliveries.length;
    const del = await registryFetch(reg, `/v2/team/blob/blobs/${layer}`, { method: "DELETE" });
    expect(del.status).toBe(202);
    // the registry's own delivery of the blob delete: the same shape as a manifest delete, answered 202
    const delivery = await until(async () => deliveries.slice(n).find((d) => d.body.toString().includes(layer) && d.body.toString().includes('"delete"')));
    const sent = (JSON.parse(delivery.body.toString()) as { events: { action: string; target: Record<string, unknown> }[] }).events.find((e) => e.action === "delete")!;
    expect(sent.target).not.toHaveProperty("mediaType");
    expect(sent.target).not.toHaveProperty("tag");
    expect(delivery.status).toBe(202);
    expect(JSON.parse(delivery.answer)).toMatchObject({ accepted: 0 });
    expect(await db.auditEvent.count({ where: { registryId: regattaId, digest: layer } })).toBe(0);
    expect(await db.tagRecord.findUnique({ where: { registryId_repository_tag: { registryId: regattaId, repository: "team/blob", tag: "1.0" } } })).toMatchObject({ digest });
  });

  it("answers 401 to a wrong or missing secret, records the rejection, and checks body size and JSON", async () => {
    const body = manifestEnvelope("team/x", "sha256:" + "a".repeat(64), "nope");
    const wrong = await deliver(regattaId, body, { authorization: "Bearer rwh_wrong" });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe("UNAUTHENTICATED");
    const missing = await deliver(regattaId, body, {}, "?secret=" + secret); // ?secret= is only for Docker Hub and Quay
    expect(missing.status).toBe(401);
    const rejected = await db.auditEvent.findFirstOrThrow({ where: { registryId: regattaId, action: "webhook.rejected" }, orderBy: { id: "desc" } });
    expect(rejected).toMatchObject({ outcome: "denied", sourceAddress: "127.0.0.9", actorKind: "REGISTRY" });
    expect(await db.auditEvent.count({ where: { tag: "nope" } })).toBe(0);
    // an unknown registry looks the same from outside
    const unknown = await deliver("00000000-0000-4000-8000-000000000000", body, { authorization: `Bearer ${secret}` });
    expect(unknown.status).toBe(401);
    expect((await deliver("not-a-uuid", body, { authorization: `Bearer ${secret}` })).status).toBe(401);

    const auth = { authorization: `Bearer ${secret}` };
    // registry:2 retries every non-2xx answer for ever (its queue waiting behind it): an authenticated delivery that
    // cannot be read is answered 2xx and recorded as webhook.unreadable, with the reason, once per content
    for (const body of ["{nope", '{"no":"events"}', '{"no":"events"}']) {
      const r = await deliver(regattaId, body, auth);
      expect(r.status).toBe(202);
      expect(r.json).toMatchObject({ accepted: 0, unreadable: expect.any(String) });
    }
    const unreadable = await db.auditEvent.findMany({ where: { registryId: regattaId, action: "webhook.unreadable" }, orderBy: { id: "asc" } });
    expect(unreadable.map((u) => (u.details as { reason: string }).reason)).toEqual(["the webhook body is not valid JSON", "expected a registry notification envelope: { events: [...] }"]);
    expect(unreadable[0]).toMatchObject({ outcome: "failure", actorKind: "REGISTRY" });
    // the wrong secret stays 401
    expect((await deliver(regattaId, "{nope", { authorization: "Bearer rwh_wrong" })).status).toBe(401);
    const big = await deliver(regattaId, JSON.stringify({ events: [], pad: "x".repeat(1024 * 1024) }), auth);
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("keeps one event per id within one batch and across concurrent deliveries", async () => {
    const body = manifestEnvelope("team/dup", "sha256:" + "b".repeat(64), "d1", "11111111-2222-4333-8444-555555555555");
    const auth = { authorization: `Bearer ${secret}` };
    const doubled = JSON.stringify({ events: [...JSON.parse(body).events, ...JSON.parse(body).events] });
    const answers = await Promise.all([deliver(regattaId, doubled, auth), deliver(regattaId, body, auth), deliver(regattaId, body, auth)]);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(answers.reduce((s, a) => s + a.json.accepted, 0)).toBe(1);
    expect(answers.reduce((s, a) => s + a.json.duplicates, 0)).toBe(3);
    expect(await db.auditEvent.count({ where: { registryId: regattaId, tag: "d1" } })).toBe(1);
  });
});

function manifestEnvelope(repository: string, digest: string, tag: string, id = crypto.randomUUID()) {
  return JSON.stringify({ events: [{
    id, timestamp: new Date().toISOString(), action: "push",
    target: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest, size: 400, length: 400, repository, url: `http://r/v2/${repository}/manifests/${digest}`, tag },
    request: { id: "r1", addr: "10.0.0.5:41234", host: "r", method: "PUT", useragent: "skopeo" },
    actor: { name: "dave" }, source: { addr: "r:5000", instanceID: "i" },
  }] });
}

describe("vendor payloads", () => {
  it("GitHub: a good X-Hub-Signature-256 is accepted, a bad or missing one is 401", async () => {
    const { id, secret } = await newRegistry("GHCR", "wh-ghcr", { namespace: "acme", credentials: { username: "bot", password: "ghp_" + "c".repeat(36) } });
    const body = fixture("github-package.json");
    const sign = (key: string, b: Buffer) => "sha256=" + createHmac("sha256", key).update(b).digest("hex");
    const headers = { "x-github-event": "package", "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958", "content-type": "application/json" };
    expect((await deliver(id, body, { ...headers, "x-hub-signature-256": sign("not-the-secret", body) })).status).toBe(401);
    expect((await deliver(id, body, headers)).status).toBe(401);
    expect((await deliver(id, body, { ...headers, authorization: `Bearer ${secret}` })).status).toBe(401); // GitHub signs, it sends no bearer
    // a body changed in transit no longer matches its signature
    const tampered = Buffer.from(body.toString().replace("octocat", "mallory"));
    expect((await deliver(id, tampered, { ...headers, "x-hub-signature-256": sign(secret, body) })).status).toBe(401);
    const ok = await deliver(id, body, { ...headers, "x-hub-signature-256": sign(secret, body) });
    expect(ok.status).toBe(202);
    expect(ok.json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    const ev = await db.auditEvent.findFirstOrThrow({ where: { registryId: id, action: "registry.push" } });
    expect(ev).toMatchObject({ actor: "octocat", repository: "acme/api", tag: "v1.2.3", digest: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" });
    // GitHub's redelivery: same content, nothing new
    expect((await deliver(id, body, { ...headers, "x-hub-signature-256": sign(secret, body) })).json).toMatchObject({ accepted: 0, duplicates: 1 });
    const ping = Buffer.from(JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 }));
    expect((await deliver(id, ping, { "x-github-event": "ping", "x-hub-signature-256": sign(secret, ping) })).json).toEqual({ accepted: 0, duplicates: 0, ignored: 1, test: true });
    expect(await db.auditEvent.findFirst({ where: { registryId: id, action: "webhook.test" } })).toMatchObject({ outcome: "success", details: { source: "github", what: "GitHub ping" } });
  });

  it("Docker Hub: the secret in the URL; pusher, tag and repo_name", async () => {
    const { id, secret, answer } = await newRegistry("DOCKERHUB", "wh-hub", { namespace: "acme", credentials: { username: "acme", password: "dckr_pat_x" } });
    expect(answer.deliveryUrl).toBe(`${answer.url}?secret=${secret}`);
    const body = fixture("dockerhub.json");
    expect((await deliver(id, body, {}, "?secret=wrong")).status).toBe(401);
    const ok = await deliver(id, body, {}, `?secret=${secret}`);
    expect(ok.status).toBe(202);
    expect(ok.json.accepted).toBe(1);
    const ev = await db.auditEvent.findFirstOrThrow({ where: { registryId: id, action: "registry.push" } });
    expect(ev).toMatchObject({ actor: "acme-ci", repository: "acme/api", tag: "1.4.2", digest: null });
    expect((await deliver(id, body, {}, `?secret=${secret}`)).json.duplicates).toBe(1);
  });

  it("Harbor: push and delete with the operator, pulls ignored", async () => {
    const { id, secret } = await newRegistry("HARBOR", "wh-harbor", { endpoint: "https://harbor.example.com", namespace: "platform", credentials: { username: "robot$ci", password: "x" } });
    const auth = { authorization: `Bearer ${secret}` };
    expect((await deliver(id, fixture("harbor-push.json"), auth)).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect((await deliver(id, fixture("harbor-pull.json"), auth)).json).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
    expect((await deliver(id, fixture("harbor-delete.json"), auth)).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    const evs = await db.auditEvent.findMany({ where: { registryId: id, action: { startsWith: "registry." }, repository: "platform/web" }, orderBy: { id: "asc" } });
    expect(evs.map((e) => [e.action, e.actor, e.tag])).toEqual([["registry.push", "robot$ci+builder", "2.0.0"], ["registry.delete", "alice", "2.0.0"]]);
    expect(evs[0].digest).toBe("sha256:4e5f8a9b0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d");
    expect(await db.tagRecord.count({ where: { registryId: id } })).toBe(0);
    expect(await db.tagChange.count({ where: { registryId: id } })).toBe(2);
  });

  it("Quay: one push per updated tag, actor unknown (never invented)", async () => {
    const { id, secret } = await newRegistry("QUAY", "wh-quay", { namespace: "acme", credentials: { username: "acme+robot", password: "x" } });
    const ok = await deliver(id, fixture("quay.json"), {}, `?secret=${secret}`);
    expect(ok.json).toEqual({ accepted: 2, duplicates: 0, ignored: 0 });
    const evs = await db.auditEvent.findMany({ where: { registryId: id, action: "registry.push" }, orderBy: { id: "asc" } });
    expect(evs.map((e) => [e.repository, e.tag, e.actor, e.digest])).toEqual([["acme/worker", "latest", "unknown", null], ["acme/worker", "3.1", "unknown", null]]);
  });
});

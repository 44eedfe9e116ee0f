// Replays each vendor's documented webhook payloads (test/fixtures/webhooks/vendors.ts, each citing its source)
// through the real route handler, database and audit chain: what is recorded (tags, actors, tag history), what is
// answered (2xx wherever the vendor would otherwise retry), and that pulls, tests and blobs record no push.
// Google's Pub/Sub OIDC tokens are checked against keys served by a loopback certs endpoint this test controls.
import { generateKeyPairSync, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as secretRoute from "@/app/api/v1/registries/[id]/webhook/route";
import * as hook from "@/app/api/v1/webhooks/registry/[registryId]/route";
import { db } from "@/lib/db";
import type { RegistryKind } from "@/lib/generated/prisma/client";
import { REJECTIONS_PER_MINUTE } from "@/lib/services/webhooks";
import * as V from "../fixtures/webhooks/vendors";
import { call, userWithToken } from "../support/api";

let admin: string;

async function deliver(registryId: string, body: unknown, headers: Record<string, string> = {}, query = "", from = "127.0.0.9") {
  const req = new Request(`http://127.0.0.1:3000/api/v1/webhooks/registry/${registryId}${query}`, {
    method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": from, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const res = await hook.POST(req, { params: Promise.resolve({ registryId }) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function registry(kind: RegistryKind, endpoint: string, namespace: string | null = null) {
  const row = await db.registry.create({ data: { id: randomUUID(), name: `replay-${kind.toLowerCase()}-${randomUUID().slice(0, 8)}`, kind, endpoint, namespace } });
  const s = await call(secretRoute.POST, { token: admin, method: "POST", params: { id: row.id }, headers: { host: "regatta.example.com", "x-forwarded-proto": "https" } });
  expect(s.status, s.text).toBe(200);
  return { id: row.id, secret: s.json.secret as string, answer: s.json };
}

const tagsOf = async (registryId: string, repository: string) =>
  (await db.tagRecord.findMany({ where: { registryId, repository }, orderBy: { tag: "asc" } })).map((t) => [t.tag, t.digest]);

beforeAll(async () => {
  admin = (await userWithToken("ADMIN")).token;
});

describe("Harbor (Default and CloudEvents formats)", () => {
  it("records tags, never a tag named after a digest, and a delete removes every tag on the artifact", async () => {
    const { id, secret } = await registry("HARBOR", "https://harbor.dev", "library");
    const auth = { authorization: `Bearer ${secret}` };
    const digest = V.harborDefaultPullExample.event_data.resources[0]!.digest;
    expect((await deliver(id, V.harborDefaultPullExample, auth)).json).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
    expect((await deliver(id, V.harborDefaultPushByDigest, auth)).json).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
    expect(await db.tagRecord.count({ where: { registryId: id, tag: { startsWith: "sha256:" } } })).toBe(0);
    expect(await db.auditEvent.count({ where: { registryId: id, tag: { startsWith: "sha256:" } } })).toBe(0);

    expect((await deliver(id, V.harborDefaultPushTagged, auth)).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    const ce = await deliver(id, V.harborCloudEventsPush, { ...auth, "content-type": "application/cloudevents+json" });
    expect(ce.status).toBe(202);
    expect(ce.json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect((await deliver(id, V.harborCloudEventsPullExample, { ...auth, "content-type": "application/cloudevents+json" })).json).toMatchObject({ accepted: 0, ignored: 1 });
    // Harbor retries with a freshly formatted CloudEvent (new id): nothing new
    expect((await deliver(id, { ...V.harborCloudEventsPush, id: randomUUID() }, auth)).json).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await tagsOf(id, "library/busybox")).toEqual([["1.36", digest], ["1.37", digest]]);
    const pushes = await db.auditEvent.findMany({ where: { registryId: id, action: "registry.push" }, orderBy: { id: "asc" } });
    expect(pushes.map((p) => [p.tag, p.actor])).toEqual([["1.36", "robot$library+ci"], ["1.37", "robot$library+ci"]]);

    // DELETE_ARTIFACT names only 1.36; the artifact and 1.37 are gone too
    expect((await deliver(id, V.harborDefaultDelete, auth)).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect(await tagsOf(id, "library/busybox")).toEqual([]);
    const gone = await db.tagChange.findMany({ where: { registryId: id, digest: null }, orderBy: { tag: "asc" } });
    expect(gone.map((g) => [g.tag, g.previousDigest, g.actor])).toEqual([["1.36", digest, "alice"], ["1.37", digest, "alice"]]);
    const del = await db.auditEvent.findFirstOrThrow({ where: { registryId: id, action: "registry.delete" } });
    expect(del).toMatchObject({ actor: "alice", tag: "1.36", digest });
  });
});

describe("GitHub package events", () => {
  it("takes the owner from owner.login, never stores year 1, and GitHub's untagged example moves nothing", async () => {
    const { id } = await registry("GHCR", "https://ghcr.io", "Codertocat");
    const { createHmac } = await import("node:crypto");
    const secretOf = async () => (await call(secretRoute.POST, { token: admin, method: "POST", params: { id } })).json.secret as string;
    const secret = await secretOf();
    const send = (body: unknown, delivery: string) => {
      const raw = JSON.stringify(body);
      return deliver(id, raw, { "x-github-event": "package", "x-github-delivery": delivery, "x-hub-signature-256": "sha256=" + createHmac("sha256", secret).update(raw).digest("hex") });
    };
    expect((await send(V.githubPackagePublishedExample, "d-1")).json).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
    expect((await send(V.githubPackagePublishedTagged, "d-2")).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    const ev = await db.auditEvent.findFirstOrThrow({ where: { registryId: id, action: "registry.push" } });
    expect(ev).toMatchObject({ actor: "Codertocat", repository: "codertocat/hello-world-npm", tag: "nightly" });
    const record = await db.tagRecord.findFirstOrThrow({ where: { registryId: id } });
    expect(record.pushedAt!.getUTCFullYear()).toBe(2019);
    expect((ev.details as { eventAt: string }).eventAt).toBe("2019-05-09T23:28:29.000Z");
  });
});

describe("registry:2 notifications (docs/notifications.md)", () => {
  it("records nothing for the doc's pull; an event without an id is stored once when replayed", async () => {
    const { id, secret } = await registry("GENERIC", "http://192.168.100.227:5000");
    const auth = { authorization: `Bearer ${secret}` };
    expect((await deliver(id, V.distributionPullExample, auth)).json).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
    const noId = { events: [{ ...V.distributionPush.events[0], id: undefined }] };
    expect((await deliver(id, noId, auth)).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect((await deliver(id, noId, auth)).json).toEqual({ accepted: 0, duplicates: 1, ignored: 0 });
    expect(await db.auditEvent.count({ where: { registryId: id, action: "registry.push" } })).toBe(1);
    // a digest delete of a manifest Regatta knows is recorded; the same shape for an unknown digest (a blob) is not
    const known = V.distributionPush.events[0]!.target.digest;
    const blob = "sha256:" + "e".repeat(64);
    expect((await deliver(id, V.distributionDeleteByDigest(blob, "del-blob"), auth)).json).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
    expect((await deliver(id, V.distributionDeleteByDigest(known, "del-manifest"), auth)).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect(await db.auditEvent.count({ where: { registryId: id, action: "registry.delete", digest: blob } })).toBe(0);
  });
});

describe("Quay", () => {
  it("records the Test Notification as a webhook test, ignores builds with 2xx, and stores an id-less push once", async () => {
    const { id, secret } = await registry("QUAY", "https://quay.io", "acme");
    const q = `?secret=${secret}`;
    const test = await deliver(id, V.quayTestNotification, {}, q);
    expect(test.status).toBe(202);
    expect(test.json).toMatchObject({ accepted: 0, test: true });
    expect(await db.auditEvent.count({ where: { registryId: id, action: "registry.push" } })).toBe(0);
    expect(await db.auditEvent.findFirstOrThrow({ where: { registryId: id, action: "webhook.test" } })).toMatchObject({ outcome: "success", details: { source: "quay" } });
    const build = await deliver(id, V.quayBuildSuccess, {}, q);
    expect(build.status).toBe(202);
    expect(build.json).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
    expect((await deliver(id, V.quayRepoPush, {}, q)).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect((await deliver(id, V.quayRepoPush, {}, q)).json).toEqual({ accepted: 0, duplicates: 1, ignored: 0 });
    expect((await deliver(id, V.quayRepoPushDocs, {}, q)).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    const pushes = await db.auditEvent.findMany({ where: { registryId: id, action: "registry.push" }, orderBy: { id: "asc" } });
    expect(pushes.map((p) => [p.repository, p.tag, p.actor])).toEqual([["acme/worker", "3.1", "unknown"], ["acme/worker", "latest", "unknown"]]);
  });
});

describe("Docker Hub", () => {
  it("records the docs' push with its pusher and no digest; a retry is not stored twice", async () => {
    const { id, secret } = await registry("DOCKERHUB", "https://registry-1.docker.io", "svendowideit");
    expect((await deliver(id, V.dockerHubPushExample, {}, `?secret=${secret}`)).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect((await deliver(id, V.dockerHubPushExample, {}, `?secret=${secret}`)).json).toEqual({ accepted: 0, duplicates: 1, ignored: 0 });
    expect(await db.auditEvent.findFirstOrThrow({ where: { registryId: id, action: "registry.push" } }))
      .toMatchObject({ repository: "svendowideit/testhook", tag: "latest", actor: "trustedbuilder", digest: null });
  });
});

describe("Amazon ECR via an EventBridge API destination", () => {
  it("authenticates with the connection's API-key header or Basic, records PUSH and DELETE, ignores other ECR events", async () => {
    const { id, secret } = await registry("ECR", "https://123456789012.dkr.ecr.us-west-2.amazonaws.com");
    const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}` });
    expect((await deliver(id, V.ecrPush, basic("regatta", "wrong"))).status).toBe(401);
    expect((await deliver(id, V.ecrPush, {})).status).toBe(401);
    // AWS's own sample: the tag is recorded; its 60-digit "digest" is not a digest and is not stored
    expect((await deliver(id, V.ecrPushExample, { authorization: `Bearer ${secret}` })).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect(await db.auditEvent.findFirstOrThrow({ where: { registryId: id, tag: "latest" } })).toMatchObject({ repository: "my-repository-name", digest: null, actor: "unknown" });
    expect((await deliver(id, V.ecrPush, basic("regatta", secret))).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect((await deliver(id, V.ecrPush, basic("regatta", secret))).json).toMatchObject({ duplicates: 1 }); // EventBridge retry, same id
    expect((await deliver(id, V.ecrScan, basic("regatta", secret))).json).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
    expect(await tagsOf(id, "my-repository-name")).toEqual([["1.0", V.ECR_DIGEST]]);
    expect((await deliver(id, V.ecrDeleteByDigest, basic("regatta", secret))).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect(await tagsOf(id, "my-repository-name")).toEqual([]);
    expect((await deliver(id, V.ecrDeleteExample, basic("regatta", secret))).status).toBe(202);
  });
});

describe("Google Artifact Registry via a Pub/Sub push subscription", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
  let certs: http.Server;
  const host = "europe-docker.pkg.dev";

  beforeAll(async () => {
    // Google's v1 certs endpoint answers { kid: PEM }; this one holds our test key
    certs = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=60" })
      .end(JSON.stringify({ "test-kid": publicKey.export({ type: "spki", format: "pem" }) })));
    await new Promise<void>((r) => certs.listen(0, "127.0.0.1", r));
    process.env.REGATTA_GOOGLE_OIDC_CERTS_URL = `http://127.0.0.1:${(certs.address() as AddressInfo).port}/oauth2/v1/certs`;
  });
  afterAll(async () => {
    delete process.env.REGATTA_GOOGLE_OIDC_CERTS_URL;
    await new Promise((r) => certs?.close(r));
  });

  // what Pub/Sub sends (Pub/Sub docs, "Authenticate push subscriptions"): iss accounts.google.com, aud, email of the push service account
  const token = (aud: string, opts: { key?: typeof privateKey; exp?: number } = {}) =>
    new SignJWT({ email: "regatta-push@my-project.iam.gserviceaccount.com", email_verified: true })
      .setProtectedHeader({ alg: "RS256", kid: "test-kid", typ: "JWT" }).setIssuer("https://accounts.google.com").setAudience(aud)
      .setSubject("113774264463038321964").setIssuedAt().setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 3600)
      .sign(opts.key ?? privateKey);

  it("accepts a Google-signed token whose audience is the secret (or the secret in the URL); refuses others", async () => {
    const { id, secret, answer } = await registry("GOOGLE", `https://${host}`, "my-project/my-repo");
    expect(answer.deliveryUrl).toBe(`${answer.url}?secret=${secret}`);
    const insert = V.googlePush(host, { action: "INSERT", digest: `${host}/my-project/my-repo/hello-world@${V.GOOGLE_DIGEST}`, tag: `${host}/my-project/my-repo/hello-world:1.1` }, "136969346945");
    expect((await deliver(id, insert, { authorization: `Bearer ${await token("https://regatta.example.com/some-other-audience")}` })).status).toBe(401);
    expect((await deliver(id, insert, { authorization: `Bearer ${await token(secret, { key: other.privateKey })}` })).status).toBe(401);
    expect((await deliver(id, insert, { authorization: `Bearer ${await token(secret, { exp: Math.floor(Date.now() / 1000) - 600 })}` })).status).toBe(401);
    expect((await deliver(id, insert, { authorization: `Bearer ${secret}` })).status).toBe(401); // the secret itself is not a token
    expect(await db.auditEvent.count({ where: { registryId: id, action: "registry.push" } })).toBe(0);

    const ok = await deliver(id, insert, { authorization: `Bearer ${await token(secret)}` });
    expect(ok.status).toBe(202);
    expect(ok.json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect(await tagsOf(id, "my-project/my-repo/hello-world")).toEqual([["1.1", V.GOOGLE_DIGEST]]);
    // Pub/Sub redelivers with the same messageId; URL-secret mode works as well
    expect((await deliver(id, insert, {}, `?secret=${secret}`)).json).toMatchObject({ accepted: 0, duplicates: 1 });
    // another repository of the project on the same gcr topic
    const elsewhere = V.googlePush(host, { action: "INSERT", tag: `${host}/my-project/other-repo/x:1` }, "7");
    expect((await deliver(id, elsewhere, {}, `?secret=${secret}`)).json).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
    const del = V.googlePush(host, { action: "DELETE", digest: `${host}/my-project/my-repo/hello-world@${V.GOOGLE_DIGEST}` }, "8");
    expect((await deliver(id, del, { authorization: `Bearer ${await token(secret)}` })).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect(await tagsOf(id, "my-project/my-repo/hello-world")).toEqual([]);
    // an unreadable but authenticated push is answered 2xx (Pub/Sub would redeliver it until it expires)
    const bad = await deliver(id, { message: { data: "not base64!" } }, {}, `?secret=${secret}`);
    expect(bad.status).toBe(202);
    expect(await db.auditEvent.count({ where: { registryId: id, action: "webhook.unreadable" } })).toBe(1);
  });
});

describe("rejected deliveries cannot grow the audit log", () => {
  it("aggregates unknown ids per address, one event per minute; forged addresses are capped in all", async () => {
    const before = await db.auditEvent.count({ where: { action: "webhook.rejected" } });
    const answers = await Promise.all(Array.from({ length: 50 }, () => deliver(randomUUID(), "{}", { authorization: "Bearer x" }, "", "203.0.113.7")));
    expect(answers.every((a) => a.status === 401)).toBe(true);
    const fromOne = await db.auditEvent.count({ where: { action: "webhook.rejected", sourceAddress: "203.0.113.7" } });
    expect(fromOne).toBeGreaterThanOrEqual(1);
    expect(fromOne).toBeLessThanOrEqual(2); // 2 only if a minute ended during the burst
    // 300 callers each claiming another address and another id
    for (let i = 0; i < 300; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => deliver(randomUUID(), "{}", {}, "", `198.51.100.${(i + j) % 250}:${i + j}`)));
    }
    const added = (await db.auditEvent.count({ where: { action: "webhook.rejected" } })) - before;
    expect(added).toBeLessThanOrEqual(2 * REJECTIONS_PER_MINUTE);
  });
});

// A burst of webhook deliveries at once, through the route handler: none is lost, retries are
// dropped, tag history follows the log's order, and the hash chain verifies afterwards.
import { createHash, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import * as secretRoute from "@/app/api/v1/registries/[id]/webhook/route";
import * as hook from "@/app/api/v1/webhooks/registry/[registryId]/route";
import { appendAudit, appendAuditEvents } from "@/lib/audit/log";
import { verifyAuditChain } from "@/lib/audit/verify";
import { db } from "@/lib/db";
import { call, clearAuditLog, userWithToken } from "../support/api";

const digestOf = (s: string) => `sha256:${createHash("sha256").update(s).digest("hex")}`;

// registry:2's envelope (../shared/TESTING.md): one POST per batch of events
function envelope(events: { id: string; repository: string; tag: string; digest: string; action?: string }[]) {
  return JSON.stringify({
    events: events.map((e) => ({
      id: e.id, timestamp: new Date().toISOString(), action: e.action ?? "push",
      target: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: e.digest, size: 527, repository: e.repository, url: "http://x", tag: e.tag },
      request: { id: randomUUID(), addr: "10.1.2.3:41000", host: "registry", method: "PUT", useragent: "skopeo" }, actor: { name: "burst-ci" }, source: { addr: "registry:5000" },
    })),
  });
}

let registryId: string;
let secret: string;

async function deliver(body: string) {
  const req = new Request(`http://127.0.0.1:3000/api/v1/webhooks/registry/${registryId}`, {
    method: "POST", headers: { authorization: `Bearer ${secret}`, "content-type": "application/vnd.docker.distribution.events.v1+json", "x-forwarded-for": "10.9.9.9" }, body,
  });
  const res = await hook.POST(req, { params: Promise.resolve({ registryId }) });
  return { status: res.status, json: (await res.json()) as { accepted: number; duplicates: number } };
}

beforeAll(async () => {
  // the log is shared by the whole run and other files write rows without a chain: start clean
  await clearAuditLog();
  const admin = (await userWithToken("ADMIN")).token;
  const made = await call(collection.POST, { token: admin, method: "POST", body: { name: `burst-${randomUUID().slice(0, 8)}`, kind: "GENERIC", endpoint: "http://127.0.0.1:1" } });
  expect(made.status, made.text).toBe(201);
  registryId = made.json.id;
  const s = await call(secretRoute.POST, { token: admin, method: "POST", params: { id: registryId } });
  expect(s.status, s.text).toBe(200);
  secret = s.json.secret;
});

describe("a burst of deliveries", () => {
  it("stores every one of 600 concurrent deliveries once, drops their retries, and keeps the chain intact", async () => {
    const N = 600;
    const single = Array.from({ length: N }, (_, i) => ({ id: randomUUID(), repository: `burst/app${i % 10}`, tag: `v${Math.floor(i / 10) % 40}`, digest: digestOf(`single-${i}`) }));
    // three multi-event envelopes moving one tag three times each, in order
    const moves = Array.from({ length: 3 }, (_, j) => Array.from({ length: 3 }, (_, k) => ({ id: randomUUID(), repository: "burst/moving", tag: `m${j}`, digest: digestOf(`move-${j}-${k}`) })));
    // a tag pushed then deleted, and one deleted then pushed again, within one envelope
    const A = digestOf("churn-a");
    const B = digestOf("churn-b");
    const churn = [
      { id: randomUUID(), repository: "burst/churn", tag: "d0", digest: A }, { id: randomUUID(), repository: "burst/churn", tag: "d0", digest: "", action: "delete" },
      { id: randomUUID(), repository: "burst/churn", tag: "d1", digest: A }, { id: randomUUID(), repository: "burst/churn", tag: "d1", digest: "", action: "delete" },
      { id: randomUUID(), repository: "burst/churn", tag: "d1", digest: B },
    ];
    const bodies = [...single.map((e) => envelope([e])), ...moves.map((m) => envelope(m)), envelope(churn)];
    // 100 registry retries of the same deliveries, in the same burst
    const retries = bodies.slice(0, 100);
    // Regatta's own events (sign-ins, promotions…) append to the same chain meanwhile
    const own = Array.from({ length: 50 }, (_, i) => appendAudit({ actorKind: "USER", actor: `u${i}@burst.test`, action: "burst.own", outcome: "success", details: { i } }));
    // and one delivery PostgreSQL could not store: answered 2xx (the registry would retry it for ever) and recorded as unreadable, alone, the others unharmed
    const nul = envelope([{ id: randomUUID(), repository: "burst/app0", tag: "bad\u0000tag", digest: digestOf("nul") }]);
    const answers = await Promise.all([...bodies, nul, ...retries].map(deliver));
    expect((await Promise.all(own)).every(Boolean)).toBe(true);
    const [refused] = answers.splice(bodies.length, 1);
    expect(refused).toMatchObject({ status: 202, json: { accepted: 0, unreadable: expect.stringContaining("NUL") } });
    expect(await db.auditEvent.count({ where: { registryId, action: "webhook.unreadable" } })).toBe(1);

    expect(answers.filter((a) => a.status !== 202)).toEqual([]);
    const events = N + 9 + 5;
    expect(answers.reduce((n, a) => n + a.json.accepted, 0)).toBe(events);
    expect(answers.reduce((n, a) => n + a.json.duplicates, 0)).toBe(100);

    const keys = [...single, ...moves.flat(), ...churn].map((e) => `${registryId}:${e.id}`);
    expect(await db.auditEvent.count({ where: { eventKey: { in: keys } } })).toBe(events);
    expect(await db.auditEvent.count({ where: { registryId, action: { in: ["registry.push", "registry.delete"] } } })).toBe(events);
    expect(await db.auditEvent.count({ where: { action: "burst.own" } })).toBe(50);
    // written in a few transactions, not one per delivery (xmin: the transaction that wrote a row)
    const [{ n: transactions }] = await db.$queryRaw<{ n: bigint }[]>`SELECT count(DISTINCT xmin::text) AS n FROM "AuditEvent" WHERE "registryId" = ${registryId}::uuid AND action = 'registry.push'`;
    expect(Number(transactions)).toBeLessThan(N / 5);

    const report = await verifyAuditChain();
    expect(report).toMatchObject({ intact: true, checked: await db.auditEvent.count(), checkpoint: { state: "reached" } });

    // the same bodies once more, after the burst: all known, nothing written
    const again = await Promise.all(bodies.slice(0, 200).map(deliver));
    expect(again.every((a) => a.status === 202 && a.json.accepted === 0 && a.json.duplicates === 1)).toBe(true);
    expect(await db.auditEvent.count({ where: { registryId, action: { in: ["registry.push", "registry.delete"] } } })).toBe(events);
  });

  it("moves each tag in the order of the log, within and across deliveries", async () => {
    for (let j = 0; j < 3; j++) {
      const record = await db.tagRecord.findUniqueOrThrow({ where: { registryId_repository_tag: { registryId, repository: "burst/moving", tag: `m${j}` } } });
      expect(record).toMatchObject({ digest: digestOf(`move-${j}-2`), pushedBy: "burst-ci" });
      const changes = await db.tagChange.findMany({ where: { registryId, repository: "burst/moving", tag: `m${j}` }, orderBy: { id: "asc" } });
      expect(changes.map((c) => [c.previousDigest, c.digest])).toEqual([
        [null, digestOf(`move-${j}-0`)], [digestOf(`move-${j}-0`), digestOf(`move-${j}-1`)], [digestOf(`move-${j}-1`), digestOf(`move-${j}-2`)],
      ]);
    }
    const churn = await db.auditEvent.findMany({ where: { registryId, repository: "burst/churn" }, orderBy: { id: "asc" } });
    expect(churn.map((e) => [e.action, e.tag, e.previousDigest, e.digest])).toEqual([
      ["registry.push", "d0", null, digestOf("churn-a")], ["registry.delete", "d0", digestOf("churn-a"), null],
      ["registry.push", "d1", null, digestOf("churn-a")], ["registry.delete", "d1", digestOf("churn-a"), null],
      ["registry.push", "d1", null, digestOf("churn-b")],
    ]);
    expect(await db.tagRecord.findMany({ where: { registryId, repository: "burst/churn" }, select: { tag: true, digest: true } })).toEqual([{ tag: "d1", digest: digestOf("churn-b") }]);
    const churnChanges = await db.tagChange.findMany({ where: { registryId, repository: "burst/churn" }, orderBy: { id: "asc" } });
    expect(churnChanges.map((c) => [c.tag, c.previousDigest, c.digest])).toEqual([
      ["d0", null, digestOf("churn-a")], ["d0", digestOf("churn-a"), null], ["d1", null, digestOf("churn-a")], ["d1", digestOf("churn-a"), null], ["d1", null, digestOf("churn-b")],
    ]);
    // 600 pushes spread over 400 tags by concurrent deliveries: each event's previous digest is the
    // digest of the event before it on that tag, and the tag ends on the last one
    const log = await db.auditEvent.findMany({ where: { registryId, repository: { startsWith: "burst/app" } }, orderBy: { id: "asc" } });
    const last = new Map<string, string>();
    for (const e of log) {
      const key = `${e.repository}:${e.tag}`;
      expect(e.previousDigest, key).toBe(last.get(key) ?? null);
      last.set(key, e.digest!);
    }
    expect(last.size).toBe(400);
    const records = await db.tagRecord.findMany({ where: { registryId, repository: { startsWith: "burst/app" } } });
    expect(records.length).toBe(400);
    for (const r of records) expect(r.digest).toBe(last.get(`${r.repository}:${r.tag}`));
    expect(await db.tagChange.count({ where: { registryId, repository: { startsWith: "burst/app" } } })).toBe(600);
  });

  it("hashes details as they are stored (a Date becomes its ISO string), so the chain still verifies", async () => {
    const when = new Date("2026-11-27T01:02:03.456Z");
    expect(await appendAudit({ actorKind: "SYSTEM", actor: "burst", action: "burst.date", outcome: "success", details: { when, skipped: undefined } })).toBe(true);
    const e = await db.auditEvent.findFirstOrThrow({ where: { action: "burst.date" } });
    expect(e.details).toEqual({ when: "2026-11-27T01:02:03.456Z" });
    expect((await verifyAuditChain()).intact).toBe(true);
  });

  it("fails only the writer whose rows fail, not the others queued with it", async () => {
    const before = await db.auditEvent.count();
    const poisoned = new Error("this writer's own rows failed");
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => appendAuditEvents(
      [{ input: { actorKind: "SYSTEM", actor: "burst", action: "burst.extension", outcome: "success", details: { i } }, meta: i }],
      async (_tx, entries) => {
        if (entries.some((e) => e.meta === 7)) throw poisoned;
      },
    )));
    expect(results[7]).toEqual({ status: "rejected", reason: poisoned });
    expect(results.filter((r) => r.status === "fulfilled").length).toBe(39);
    expect(await db.auditEvent.count()).toBe(before + 39);
    expect(await db.auditEvent.count({ where: { action: "burst.extension", details: { path: ["i"], equals: 7 } } })).toBe(0);
    expect((await verifyAuditChain()).intact).toBe(true);
  });
});

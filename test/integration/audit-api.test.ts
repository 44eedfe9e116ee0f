// GET /api/v1/audit: filters, keyset pagination, CSV/JSON export, roles; verify, last push, activity.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import * as list from "@/app/api/v1/audit/route";
import * as activity from "@/app/api/v1/audit/activity/route";
import * as lastPushRoute from "@/app/api/v1/audit/last-push/route";
import * as verify from "@/app/api/v1/audit/verify/route";
import { appendAudit } from "@/lib/audit/log";
import { db } from "@/lib/db";
import { recentActivity } from "@/lib/services/audit";
import { call, clearAuditLog, userWithToken } from "../support/api";
import { testDatabaseUrl } from "../support/workers";

let admin: string;
let operator: string;
let viewer: string;
let registryId: string;
const run = randomUUID().slice(0, 8);
const who = (n: number) => `user${n}-${run}@example.com`;
const digest = (c: string) => `sha256:${c.repeat(64)}`;

async function get(query: Record<string, string>, token = admin, handler = list.GET) {
  const req = new Request(`http://127.0.0.1:3000/api/v1/audit?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${token}` } });
  const r = await handler(req, { params: Promise.resolve({}) });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text, json: r.headers.get("content-type")?.includes("json") && text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  admin = (await userWithToken("ADMIN")).token;
  operator = (await userWithToken("OPERATOR")).token;
  viewer = (await userWithToken("VIEWER")).token;
  registryId = randomUUID();
  await db.registry.create({ data: { id: registryId, name: `audit-api-${run}`, kind: "GENERIC", endpoint: "http://127.0.0.1:1" } });
  // 30 pushes by two registry users over two tags, 5 promotions by a person, one failure
  for (let i = 0; i < 30; i++) {
    await appendAudit({
      actorKind: "REGISTRY", actor: i % 2 ? `ci-${run}` : `dev-${run}`, action: "registry.push", outcome: "success", registryId,
      repository: `team/${run}`, tag: i % 3 ? "latest" : "1.0", digest: digest(((i % 16).toString(16))), eventKey: `${registryId}:seed-${i}`,
    });
  }
  for (let i = 0; i < 5; i++) {
    await appendAudit({ actorKind: "USER", actor: who(1), action: "promote", outcome: "success", registryId, repository: `prod/${run}`, tag: "stable", digest: digest("a"), previousDigest: digest("b"), details: { note: `n${i}` } });
  }
  await appendAudit({ actorKind: "USER", actor: who(2), action: "retag", outcome: "failure", registryId, repository: `prod/${run}`, tag: "=cmd|' /C calc'!A0", details: { reason: 'quote " and, comma\nnewline' } });
});

describe("GET /api/v1/audit", () => {
  it("filters by actor, action (exact and prefix), registry, repository, tag, digest and outcome", async () => {
    const byActor = await get({ actor: `CI-${run}`, registryId });
    expect(byActor.status).toBe(200);
    expect(byActor.json.events).toHaveLength(15);
    expect(byActor.json.events.every((e: { actor: string }) => e.actor === `ci-${run}`)).toBe(true);
    expect((await get({ action: "promote", registryId })).json.events).toHaveLength(5);
    expect((await get({ action: "registry.*", registryId })).json.events).toHaveLength(30);
    expect((await get({ action: "promote,retag", registryId })).json.events).toHaveLength(6);
    expect((await get({ repository: `team/${run}`, tag: "1.0" })).json.events).toHaveLength(10);
    expect((await get({ digest: digest("b"), registryId })).json.events).toHaveLength(2); // i = 11, 27 (not the previous digest of the promotions)
    expect((await get({ outcome: "failure", registryId })).json.events).toHaveLength(1);
    const e = (await get({ action: "promote", registryId, limit: "1" })).json.events[0];
    expect(e).toMatchObject({ actorKind: "USER", actor: who(1), action: "promote", registryId, repository: `prod/${run}`, tag: "stable", digest: digest("a"), previousDigest: digest("b"), outcome: "success", details: { note: "n4" } });
    expect(typeof e.id).toBe("string");
    expect(new Date(e.at).toISOString()).toBe(e.at);
  });

  it("filters by time", async () => {
    const all = (await get({ registryId, limit: "500" })).json.events as { id: string; at: string }[];
    expect(all).toHaveLength(36);
    const mid = all[10].at; // newest first
    const since = (await get({ registryId, since: mid, limit: "500" })).json.events;
    const until = (await get({ registryId, until: mid, limit: "500" })).json.events;
    expect(since.length + until.length).toBe(36);
    expect(since.every((x: { at: string }) => x.at >= mid)).toBe(true);
    expect((await get({ registryId, since: "2999-01-01" })).json.events).toHaveLength(0);
    const bad = await get({ since: "yesterday-ish" });
    expect(bad.status).toBe(422);
    expect(bad.json.error.message).toContain("since");
  });

  it("pages newest first with nextCursor, without gaps or repeats", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await get({ registryId, limit: "7", ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      seen.push(...page.json.events.map((e: { id: string }) => e.id));
      cursor = page.json.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(6);
    expect(seen).toHaveLength(36);
    expect(new Set(seen).size).toBe(36);
    const ids = seen.map(BigInt);
    expect(ids.every((v, i) => i === 0 || ids[i - 1] > v)).toBe(true);
    expect((await get({ limit: "501" })).status).toBe(422);
    expect((await get({ cursor: "abc" })).status).toBe(422);
    expect((await get({ registryId: "not-a-uuid" })).status).toBe(422);
  });

  it("exports CSV and JSON downloads with every matching event", async () => {
    const csv = await get({ registryId, format: "csv" });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="regatta-audit-.*\.csv"$/);
    const lines = csv.text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("id,at,actorKind,actor,action,outcome,registryId,repository,tag,digest,previousDigest,sourceAddress,details");
    // the failure row: a formula-looking tag is defused, quotes doubled, newlines kept inside quotes
    expect(csv.text).toContain(`'=cmd|' /C calc'!A0`);
    expect(csv.text).toContain('"{""reason"":""quote \\"" and, comma\\nnewline""}"');
    expect(lines.filter((l) => l.includes(`team/${run}`))).toHaveLength(30);

    const json = await get({ registryId, format: "json", action: "promote" });
    expect(json.headers.get("content-disposition")).toMatch(/\.json"$/);
    const arr = JSON.parse(json.text);
    expect(arr).toHaveLength(5);
    expect(arr[0].action).toBe("promote");
    expect(JSON.parse((await get({ registryId, format: "json", actor: "nobody" })).text)).toEqual([]);
  });

  it("is for admins: operators and viewers get 403, an unknown token 401", async () => {
    expect((await get({}, viewer)).status).toBe(403);
    expect((await get({}, operator)).status).toBe(403);
    expect((await get({ format: "csv" }, viewer)).status).toBe(403);
    expect((await get({}, viewer, verify.GET)).status).toBe(403);
    expect((await get({}, "rgt_not-a-token")).status).toBe(401);
  });
});

describe("verify, last push, activity", () => {
  it("GET /api/v1/audit/last-push names who pushed a tag last", async () => {
    const r = await get({ registryId, repository: `team/${run}`, tag: "latest" }, viewer, lastPushRoute.GET);
    expect(r.status).toBe(200);
    expect(r.json.push).toMatchObject({ action: "registry.push", actor: `ci-${run}`, tag: "latest", digest: digest("d") }); // i = 29
    expect((await get({ registryId, repository: `team/${run}`, tag: "nope" }, viewer, lastPushRoute.GET)).json.push).toBeNull();
    expect((await get({ registryId, repository: "x" }, viewer, lastPushRoute.GET)).status).toBe(422);
  });

  it("GET /api/v1/audit/last-push shows the pusher's address and delivery details to admins only", async () => {
    await appendAudit({
      actorKind: "REGISTRY", actor: `ci-${run}`, action: "registry.push", outcome: "success", registryId, repository: `team/${run}`, tag: "addr",
      digest: digest("e"), sourceAddress: "203.0.113.77", details: { request: { addr: "203.0.113.77:4711", host: "internal-builder.corp", useragent: "docker/27" } },
    });
    const q = { registryId, repository: `team/${run}`, tag: "addr" };
    for (const token of [viewer, operator]) {
      const r = await get(q, token, lastPushRoute.GET);
      expect(r.status).toBe(200);
      expect(r.json.push).toMatchObject({ actor: `ci-${run}`, digest: digest("e") });
      expect(r.text).not.toContain("203.0.113.77");
      expect(r.text).not.toContain("internal-builder");
      expect(r.json.push.sourceAddress).toBeUndefined();
      expect(r.json.push.details).toBeUndefined();
    }
    const full = await get(q, admin, lastPushRoute.GET);
    expect(full.json.push).toMatchObject({ sourceAddress: "203.0.113.77", details: { request: { host: "internal-builder.corp" } } });
  });

  it("refuses oversize and malformed names on last-push before any lookup", async () => {
    for (const q of [{ repository: "a".repeat(256), tag: "x" }, { repository: "team/x", tag: "t".repeat(129) }, { repository: "Team/X", tag: "x" }, { repository: "team/x", tag: "-x" }]) {
      const r = await get({ registryId, ...q }, viewer, lastPushRoute.GET);
      expect(r.status).toBe(422);
    }
  });

  it("GET /api/v1/audit/activity counts pushes and promotions per day for 30 days", async () => {
    const r = await get({}, admin, activity.GET);
    expect(r.json.days).toHaveLength(30);
    const today = r.json.days[29];
    expect(today.day).toBe(new Date().toISOString().slice(0, 10));
    expect(today.pushes).toBeGreaterThanOrEqual(30);
    expect(today.promotions).toBeGreaterThanOrEqual(5);
  });

  it("recent activity (the overview) lists tag changes, not a registry removed from Regatta", async () => {
    const gone = randomUUID();
    // the same action name as a registry reporting a deleted tag, but about a Regatta registry row
    await appendAudit({ actorKind: "USER", actor: who(9), action: "registry.delete", outcome: "success", registryId: gone, details: { name: "old", kind: "GENERIC" } });
    await appendAudit({ actorKind: "REGISTRY", actor: `ci-${run}`, action: "registry.delete", outcome: "success", registryId, repository: `team/${run}`, tag: "old", previousDigest: digest("e") });
    const items = await recentActivity(5);
    expect(items[0]).toMatchObject({ action: "registry.delete", repository: `team/${run}`, tag: "old" });
    expect(items.every((i) => i.repository)).toBe(true);
    expect(items.some((i) => i.registryId === gone)).toBe(false);
  });
});

// last: it empties the log (other files' rows carry no real chain, and audit-verify.test.ts breaks it on purpose)
describe("GET /api/v1/audit/verify", () => {
  it("reports an intact chain, then the first event changed behind its back", async () => {
    const c = new pg.Client({ connectionString: testDatabaseUrl() });
    await c.connect();
    try {
      await clearAuditLog();
      for (let i = 0; i < 5; i++) await appendAudit({ actorKind: "SYSTEM", actor: "regatta", action: "test.event", outcome: "success", details: { i } });
      const ok = await get({}, admin, verify.GET);
      expect(ok.status).toBe(200);
      expect(ok.json).toMatchObject({ intact: true, checked: 5, keyed: 5, legacy: 0, checkpoint: { state: "reached" } });
      const { rows } = await c.query(`SELECT id FROM "AuditEvent" ORDER BY id`);
      await c.query(`ALTER TABLE "AuditEvent" DISABLE TRIGGER USER`);
      await c.query(`UPDATE "AuditEvent" SET tag = 'forged' WHERE id = $1`, [rows[3].id]);
      await c.query(`ALTER TABLE "AuditEvent" ENABLE TRIGGER USER`);
      const bad = await get({}, admin, verify.GET);
      expect(bad.json).toMatchObject({ intact: false, checked: 3, firstBroken: { id: String(rows[3].id), action: "test.event" } });
      expect(bad.json.firstBroken.reason).toContain("changed");
    } finally {
      // leave an empty, intact log behind for whatever runs next
      await c.end();
      await clearAuditLog();
    }
  });
});

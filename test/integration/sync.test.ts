// The background sync against a real registry:2: a first pass learns what is there (no audit
// noise for tags that predate Regatta), the next one notices a new tag, a moved tag and a deleted
// tag, in TagChange (source SYNC) and in the audit log with actor "unknown" and a time window.
// Runs through pg-boss as "Sync now" does; a stopped registry fails its own job only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import * as syncRoute from "@/app/api/v1/registries/[id]/sync/route";
import { db } from "@/lib/db";
import { boss, stopBoss } from "@/lib/jobs/boss";
import { tagDetails } from "@/lib/services/tag-details";
import { requestSync, startSyncWorkers, syncRegistry, type SyncStatus } from "@/lib/services/registry-sync";
import { pushImage, registryFetch, retag, skopeoInspect, startRegistry, type RunningRegistry } from "../harness";
import { call, userWithToken } from "../support/api";

let reg: RunningRegistry;
let down: RunningRegistry;
let id: string;
let downId: string;
let admin: string;
let operator: string;
let viewer: string;
const digests: Record<string, string> = {};

async function addRegistry(name: string, r: RunningRegistry) {
  const res = await call(collection.POST, { token: admin, method: "POST", body: { name, kind: "GENERIC", endpoint: r.url, credentials: r.username ? { username: r.username, password: r.password } : undefined } });
  expect(res.status, res.text).toBe(201);
  return res.json.id as string;
}

async function status(registryId: string): Promise<SyncStatus> {
  const r = await call(syncRoute.GET, { token: viewer, params: { id: registryId } });
  expect(r.status, r.text).toBe(200);
  return r.json;
}

async function settled(registryId: string): Promise<SyncStatus> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await status(registryId);
    if (s.state === "succeeded" || s.state === "failed") return s;
    if (Date.now() > deadline) throw new Error(`sync of ${registryId} still ${s.state}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const syncAudit = (registryId: string) =>
  db.auditEvent.findMany({ where: { registryId, details: { path: ["observedBy"], equals: "sync" } }, orderBy: { id: "asc" } });

beforeAll(async () => {
  process.env.REGATTA_SYNC_INTERVAL_MINUTES = "0";
  [reg, down] = await Promise.all([startRegistry({ mode: "htpasswd", name: "sync" }), startRegistry({ mode: "open", name: "sync-down" })]);
  digests.one = await pushImage(reg, "team/api:1.0", { labels: { v: "1" } });
  digests.two = await pushImage(reg, "team/api:2.0", { labels: { v: "2" } });
  digests.web = await pushImage(reg, "team/web:latest", { labels: { v: "web" } });
  await pushImage(down, "x/y:1", {});
  admin = (await userWithToken("ADMIN")).token;
  operator = (await userWithToken("OPERATOR")).token;
  viewer = (await userWithToken("VIEWER")).token;
  id = await addRegistry("sync", reg);
  downId = await addRegistry("sync-down", down);
});

afterAll(async () => {
  await stopBoss();
  await Promise.all([reg?.stop(), down?.stop()]);
});

describe("registry sync", () => {
  it("a first pass records every tag with skopeo's digest and writes no audit event", async () => {
    const r = await syncRegistry(id);
    expect(r).toMatchObject({ repositories: 2, tags: 3, added: 0, moved: 0, removed: 0, errors: [] });
    const rows = await db.tagRecord.findMany({ where: { registryId: id }, orderBy: [{ repository: "asc" }, { tag: "asc" }] });
    expect(rows.map((t) => `${t.repository}:${t.tag}`)).toEqual(["team/api:1.0", "team/api:2.0", "team/web:latest"]);
    for (const t of rows) expect(t.digest).toBe((await skopeoInspect(reg, `${t.repository}:${t.tag}`)).Digest);
    expect(await db.repositoryRecord.findUnique({ where: { registryId_name: { registryId: id, name: "team/api" } } })).toMatchObject({ tagCount: 2 });
    expect(await syncAudit(id)).toEqual([]);
  });

  it("queues one sync per registry at a time, and only operators may ask", async () => {
    expect((await call(syncRoute.POST, { token: viewer, method: "POST", params: { id } })).status).toBe(403);
    expect((await call(syncRoute.POST, { token: operator, method: "POST", params: { id: "00000000-0000-4000-8000-000000000000" } })).status).toBe(404);
    // no worker yet: the first request waits, a second one while it waits is the same work
    const first = await requestSync(id);
    expect(first).toBeTruthy();
    const again = await call(syncRoute.POST, { token: operator, method: "POST", params: { id } });
    expect(again.status).toBe(202);
    expect(again.json).toMatchObject({ queued: false, status: { state: "queued" } });
    await startSyncWorkers(await boss());
    const s = await settled(id);
    expect(s.state).toBe("succeeded");
    expect(s.result).toMatchObject({ repositories: 2, tags: 3, added: 0, moved: 0, removed: 0 });
    expect(s.finishedAt).toBeTruthy();
    expect(await db.tagChange.count({ where: { registryId: id } })).toBe(3);
  });

  it("notices a new, a moved and a deleted tag: TagChange and audit events with actor unknown", async () => {
    const before = new Date();
    digests.three = await retag(reg, "team/api", "1.0", "3.0");
    digests.oneMoved = await pushImage(reg, "team/api:1.0", { labels: { v: "1-moved" } });
    expect(digests.oneMoved).not.toBe(digests.one);
    const del = await registryFetch(reg, `/v2/team/api/manifests/${digests.two}`, { method: "DELETE", scopes: ["repository:team/api:delete"] });
    expect(del.status).toBe(202);
    expect((await skopeoInspect(reg, "team/api:1.0")).Digest).toBe(digests.oneMoved);

    const res = await call(syncRoute.POST, { token: operator, method: "POST", params: { id } });
    expect(res.status, res.text).toBe(202);
    expect(res.json.queued).toBe(true);
    const s = await settled(id);
    expect(s.state).toBe("succeeded");
    expect(s.result).toMatchObject({ added: 1, moved: 1, removed: 1, errors: [] });

    const changes = await db.tagChange.findMany({ where: { registryId: id, at: { gte: before } }, orderBy: { tag: "asc" } });
    expect(changes.map((c) => [c.tag, c.digest, c.previousDigest, c.source, c.actor])).toEqual([
      ["1.0", digests.oneMoved, digests.one, "SYNC", null],
      ["2.0", null, digests.two, "SYNC", null],
      ["3.0", digests.one, null, "SYNC", null],
    ]);
    expect(await db.tagRecord.findUnique({ where: { registryId_repository_tag: { registryId: id, repository: "team/api", tag: "2.0" } } })).toBeNull();
    expect((await db.tagRecord.findUnique({ where: { registryId_repository_tag: { registryId: id, repository: "team/api", tag: "1.0" } } }))?.digest).toBe(digests.oneMoved);

    const events = await syncAudit(id);
    expect(events.map((e) => [e.action, e.tag, e.digest, e.previousDigest, e.actor, e.actorKind]).sort()).toEqual([
      ["registry.delete", "2.0", null, digests.two, "unknown", "REGISTRY"],
      ["registry.push", "1.0", digests.oneMoved, digests.one, "unknown", "REGISTRY"],
      ["registry.push", "3.0", digests.one, null, "unknown", "REGISTRY"],
    ].sort());
    for (const e of events) {
      const d = e.details as { between: string; and: string };
      // the change happened some time between the previous look and this one
      expect(Date.parse(d.between)).toBeLessThan(before.getTime());
      expect(Date.parse(d.and)).toBeGreaterThanOrEqual(before.getTime());
      expect(e.repository).toBe("team/api");
    }
    // a pass with nothing new adds nothing
    await syncRegistry(id);
    expect(await syncAudit(id)).toHaveLength(3);
  });

  it("a move the tag table notices first is audited once, as seen by browsing", async () => {
    const moved = await pushImage(reg, "team/api:3.0", { labels: { v: "3-moved" } });
    const d = await tagDetails(id, "team/api", ["3.0"]);
    expect(d.tags[0].digest).toBe(moved);
    const seen = await db.auditEvent.findMany({ where: { registryId: id, tag: "3.0", digest: moved } });
    expect(seen.map((e) => [e.action, e.actor, e.previousDigest, (e.details as { observedBy: string }).observedBy])).toEqual([["registry.push", "unknown", digests.one, "browse"]]);
    await syncRegistry(id);
    expect(await db.auditEvent.count({ where: { registryId: id, tag: "3.0", digest: moved } })).toBe(1);
  });

  it("leaves a tag recorded after the tag list was read (a webhook's push racing the sync)", async () => {
    const later = new Date(Date.now() + 60_000);
    await db.tagRecord.create({ data: { registryId: id, repository: "team/api", tag: "racing", digest: digests.one, changedAt: later, checkedAt: later } });
    const r = await syncRegistry(id);
    expect(r.removed).toBe(0);
    expect(await db.tagRecord.findUnique({ where: { registryId_repository_tag: { registryId: id, repository: "team/api", tag: "racing" } } })).not.toBeNull();
    await db.tagRecord.delete({ where: { registryId_repository_tag: { registryId: id, repository: "team/api", tag: "racing" } } });
  });

  it("a registry that is down fails its own sync with a message; the other registry still syncs", async () => {
    await down.halt();
    await expect(syncRegistry(downId)).rejects.toThrow(/cannot list repositories/);
    await call(syncRoute.POST, { token: operator, method: "POST", params: { id: downId } });
    await call(syncRoute.POST, { token: operator, method: "POST", params: { id } });
    const [bad, good] = await Promise.all([settled(downId), settled(id)]);
    expect(bad.state).toBe("failed");
    expect(bad.error).toMatch(/cannot list repositories/);
    expect(bad.error).not.toMatch(/password|secret/i);
    expect(good.state).toBe("succeeded");
    await down.restart();
  });
});

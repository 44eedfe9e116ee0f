// Issue #12 item 8: the app's database role cannot rewrite the audit log, the chain is keyed
// with a key the database does not hold, and deleting its last events is detected.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import pg from "pg";
import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit } from "@/lib/audit/log";
import { checkpointFile } from "@/lib/audit/checkpoint";
import { GENESIS_HASH, eventHash } from "@/lib/audit/hash";
import { verifyAuditChain } from "@/lib/audit/verify";
import { grantAppRole } from "../../scripts/lib/database.ts";
import { testDatabaseUrl } from "../support/workers";

const ownerUrl = () => testDatabaseUrl();
const role = `regatta_app_${randomBytes(3).toString("hex")}`;
const password = randomBytes(12).toString("hex");
let appUrl: string;
let owner: pg.Client;
let app: pg.Client;

async function asOwner(sql: string, params: unknown[] = []) {
  return owner.query(sql, params);
}

// rows inserted by hand in other files carry no real chain, and this file cuts the log on purpose
async function emptyLog() {
  await asOwner(`ALTER TABLE "AuditEvent" DISABLE TRIGGER USER`);
  await asOwner(`DELETE FROM "AuditEvent"`);
  await asOwner(`ALTER TABLE "AuditEvent" ENABLE TRIGGER USER`);
  fs.rmSync(checkpointFile(), { force: true });
}

beforeAll(async () => {
  owner = new pg.Client({ connectionString: ownerUrl() });
  await owner.connect();
  await asOwner(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
  const u = new URL(ownerUrl());
  u.username = role;
  u.password = password;
  appUrl = u.toString();
  expect(await grantAppRole(ownerUrl(), appUrl)).toBe(true);
  app = new pg.Client({ connectionString: appUrl });
  await app.connect();
});

afterAll(async () => {
  await app?.end();
  await owner?.query(`REASSIGN OWNED BY ${role} TO CURRENT_USER`).catch(() => {});
  await owner?.query(`DROP OWNED BY ${role}`).catch(() => {});
  await owner?.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
  await owner?.end();
});

describe("the app's database role", () => {
  it("may read and append to the audit log, and use the other tables", async () => {
    await appendAudit({ actorKind: "SYSTEM", actor: "regatta", action: "test.roles", outcome: "success" });
    expect((await app.query(`SELECT count(*)::int AS n FROM "AuditEvent"`)).rows[0].n).toBeGreaterThan(0);
    await app.query(`INSERT INTO "AuditEvent" ("actorKind", actor, action, outcome, "prevHash", hash) VALUES ('SYSTEM', 'x', 'test.insert', 'success', 'p', $1)`, [`h-${randomBytes(8).toString("hex")}`]);
    const reg = (await app.query(`INSERT INTO "Registry" (id, name, kind, endpoint, "updatedAt") VALUES (gen_random_uuid(), $1, 'GENERIC', 'http://127.0.0.1:1', now()) RETURNING id`, [`roles-${role}`])).rows[0].id;
    await app.query(`UPDATE "Registry" SET endpoint = 'http://127.0.0.1:2' WHERE id = $1`, [reg]);
    await app.query(`DELETE FROM "Registry" WHERE id = $1`, [reg]);
  });

  it.each([
    [`UPDATE "AuditEvent" SET actor = 'mallory'`, /permission denied/],
    [`DELETE FROM "AuditEvent"`, /permission denied/],
    [`TRUNCATE "AuditEvent"`, /permission denied/],
    [`ALTER TABLE "AuditEvent" DISABLE TRIGGER USER`, /must be owner/],
    [`ALTER TABLE "AuditEvent" DISABLE TRIGGER ALL`, /must be owner/],
    [`DROP TRIGGER "AuditEvent_append_only" ON "AuditEvent"`, /must be owner/],
    [`DROP TABLE "AuditEvent"`, /must be owner/],
    [`CREATE OR REPLACE FUNCTION "audit_event_append_only"() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql`, /must be owner|permission denied/],
    [`SET session_replication_role = replica`, /permission denied/],
    [`DELETE FROM "_prisma_migrations"`, /permission denied/],
  ])("cannot %s", async (sql, error) => {
    await expect(app.query(sql)).rejects.toThrow(error);
  });

  it("takes over a job queue the owner made before separate roles (an upgraded install)", async () => {
    const asOwnerBoss = new PgBoss({ connectionString: ownerUrl(), schema: "pgboss" });
    asOwnerBoss.on("error", () => {});
    await asOwnerBoss.start();
    await asOwnerBoss.createQueue("roles-upgrade");
    await asOwnerBoss.stop({ graceful: false, wait: true, timeout: 2000 });
    await grantAppRole(ownerUrl(), appUrl);
    const boss = new PgBoss({ connectionString: appUrl, schema: "pgboss" });
    boss.on("error", () => {});
    await boss.start();
    expect(await boss.send("roles-upgrade", { n: 1 })).toBeTruthy();
    const [job] = await boss.fetch("roles-upgrade");
    expect(job?.data).toEqual({ n: 1 });
    await boss.complete("roles-upgrade", job!.id);
    await boss.stop({ graceful: false, wait: true, timeout: 2000 });
  });

  it("runs the job queue (pg-boss creates its schema as the app role)", async () => {
    const boss = new PgBoss({ connectionString: appUrl, schema: `pgboss_${role}` });
    boss.on("error", () => {});
    await boss.start();
    await boss.createQueue("roles-test");
    expect(await boss.send("roles-test", { n: 1 })).toBeTruthy();
    await boss.stop({ graceful: false, wait: true, timeout: 2000 });
  });
});

describe("keyed chain and checkpoints", () => {
  it("detects the last events deleted by the owner (the chain still links up)", async () => {
    await emptyLog();
    for (let i = 0; i < 6; i++) await appendAudit({ actorKind: "SYSTEM", actor: "regatta", action: "test.truncate", outcome: "success", details: { i } });
    const ok = await verifyAuditChain();
    expect(ok).toMatchObject({ intact: true, checked: 6, keyed: 6, legacy: 0, checkpoint: { state: "reached", checkpoint: { count: 6 } } });

    await asOwner(`ALTER TABLE "AuditEvent" DISABLE TRIGGER USER`);
    await asOwner(`DELETE FROM "AuditEvent" WHERE id IN (SELECT id FROM "AuditEvent" ORDER BY id DESC LIMIT 2)`);
    await asOwner(`ALTER TABLE "AuditEvent" ENABLE TRIGGER USER`);
    const cut = await verifyAuditChain();
    expect(cut.firstBroken).toBeUndefined();
    expect(cut).toMatchObject({ intact: false, checked: 4, checkpoint: { state: "truncated" } });
    expect(cut.checkpoint.message).toContain("removed from the end");
  });

  it("refuses a changed event re-hashed without the key, and a forged checkpoint", async () => {
    await emptyLog();
    for (let i = 0; i < 3; i++) await appendAudit({ actorKind: "SYSTEM", actor: "regatta", action: "test.forge", outcome: "success", details: { i } });
    const { rows } = await asOwner(`SELECT * FROM "AuditEvent" ORDER BY id`);
    // the owner rewrites the last event and computes an unkeyed hash for it (all it can do)
    const last = rows[2];
    const forged = eventHash(last.prevHash, { ...last, actor: "mallory" });
    await asOwner(`ALTER TABLE "AuditEvent" DISABLE TRIGGER USER`);
    await asOwner(`UPDATE "AuditEvent" SET actor = 'mallory', hash = $1 WHERE id = $2`, [forged, last.id]);
    await asOwner(`ALTER TABLE "AuditEvent" ENABLE TRIGGER USER`);
    const r = await verifyAuditChain();
    expect(r.intact).toBe(false);
    expect(r.firstBroken?.reason).toContain("unkeyed hash after keyed ones");

    const cp = JSON.parse(fs.readFileSync(checkpointFile(), "utf8"));
    fs.writeFileSync(checkpointFile(), JSON.stringify({ ...cp, count: 2 }));
    await asOwner(`ALTER TABLE "AuditEvent" DISABLE TRIGGER USER`);
    await asOwner(`DELETE FROM "AuditEvent" WHERE id = $1`, [last.id]);
    await asOwner(`ALTER TABLE "AuditEvent" ENABLE TRIGGER USER`);
    expect((await verifyAuditChain()).checkpoint).toMatchObject({ state: "invalid" });
  });

  it("keeps verifying a chain begun with unkeyed (v1) events, keyed ones after them", async () => {
    await emptyLog();
    let prev = GENESIS_HASH;
    for (let i = 0; i < 3; i++) {
      const at = new Date(Date.now() - 60_000 + i);
      const fields = { at, actorKind: "SYSTEM", actor: "old", action: "test.legacy", registryId: null, repository: null, tag: null, digest: null, previousDigest: null, sourceAddress: null, outcome: "success", details: { i } };
      const hash = eventHash(prev, fields);
      await asOwner(`INSERT INTO "AuditEvent" (at, "actorKind", actor, action, outcome, details, "prevHash", hash) VALUES ($1, 'SYSTEM', 'old', 'test.legacy', 'success', $2, $3, $4)`, [at.toISOString().replace("Z", ""), JSON.stringify({ i }), prev, hash]);
      prev = hash;
    }
    await appendAudit({ actorKind: "SYSTEM", actor: "regatta", action: "test.keyed", outcome: "success" });
    await appendAudit({ actorKind: "SYSTEM", actor: "regatta", action: "test.keyed", outcome: "success" });
    expect(await verifyAuditChain()).toMatchObject({ intact: true, checked: 5, legacy: 3, keyed: 2, checkpoint: { state: "reached" } });
  });
});

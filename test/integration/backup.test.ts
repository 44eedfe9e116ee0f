// Backup and restore (npm run backup / npm run restore): dump the live database, restore it into
// an empty one, and the restored database gives back what matters: its schema at head, every
// registry's credentials decrypt with the same master key, the audit chain verifies, row for row.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import { db } from "@/lib/db";
import { backup } from "../../scripts/lib/backup";
import { makeTempDir, startRegistry, type RunningRegistry } from "../harness";
import { call, userWithToken, adminSql } from "../support/api";
import { testDatabaseUrl } from "../support/workers";

const run = promisify(execFile);
let reg: RunningRegistry;
let dir: string;
const source = () => testDatabaseUrl();
const other = (name: string) => {
  const u = new URL(source());
  u.pathname = `/${name}`;
  return u.toString();
};


async function one<T>(url: string, sql: string): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows[0] as T;
  } finally {
    await c.end();
  }
}

function restoreCli(file: string, url: string, key = process.env.REGATTA_MASTER_KEY!) {
  return run(process.execPath, ["--import", "tsx", "--conditions=react-server", "scripts/backup.ts", "restore", file], {
    env: { ...process.env, DATABASE_URL: url, REGATTA_MASTER_KEY: key, NODE_ENV: "production" }, encoding: "utf8",
  }).then((r) => ({ code: 0, out: r.stdout + r.stderr }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }));
}

beforeAll(async () => {
  dir = makeTempDir("backup");
  reg = await startRegistry({ mode: "htpasswd", name: "backup-basic" });
  const token = (await userWithToken("ADMIN")).token;
  const r = await call(collection.POST, { token, method: "POST", body: { name: "backup-basic", kind: "GENERIC", endpoint: reg.url, credentials: { username: reg.username, password: reg.password } } });
  expect(r.status).toBe(201);
  // every test file runs under its own random master key (test/support/env.ts) and they share this
  // database: registries sealed by other files could never decrypt here, as in no real installation
  const { credentialsKeyId } = await one<{ credentialsKeyId: string }>(source(), `SELECT "credentialsKeyId" FROM "Registry" WHERE id = '${r.json.id}'`);
  await one(source(), `DELETE FROM "Registry" WHERE "credentialsKeyId" IS NOT NULL AND "credentialsKeyId" <> '${credentialsKeyId}'`);
  await adminSql("DROP DATABASE IF EXISTS regatta_restored WITH (FORCE)");
});

afterAll(async () => {
  await adminSql("DROP DATABASE IF EXISTS regatta_restored WITH (FORCE)").catch(() => {});
  await reg?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("backup and restore", () => {
  it("dumps the live database; a restore into an empty database decrypts every credential and verifies the audit chain, row for row", async () => {
    const file = path.join(dir, "regatta.jsonl.gz");
    const made = await backup(source(), file);
    expect(made.rows).toBeGreaterThan(0);
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe("600");
    const text = fs.readFileSync(file);
    expect(text.includes(Buffer.from(reg.password!))).toBe(false);

    await adminSql("CREATE DATABASE regatta_restored");
    const restored = await restoreCli(file, other("regatta_restored"));
    expect(restored.out, restored.out).toMatch(/credentials of \d+ registries decrypt/);
    expect(restored.out).toMatch(/audit chain intact: \d+ events/);
    expect(restored.code).toBe(0);

    const registries = await db.registry.count();
    const audit = await one<{ n: string; last: string }>(source(), `SELECT count(*) AS n, (SELECT hash FROM "AuditEvent" ORDER BY id DESC LIMIT 1) AS last FROM "AuditEvent"`);
    const audit2 = await one<{ n: string; last: string }>(other("regatta_restored"), `SELECT count(*) AS n, (SELECT hash FROM "AuditEvent" ORDER BY id DESC LIMIT 1) AS last FROM "AuditEvent"`);
    expect(audit2).toEqual(audit);
    expect(Number((await one<{ n: string }>(other("regatta_restored"), `SELECT count(*) AS n FROM "Registry"`)).n)).toBe(registries);
    const migrations = (u: string) => one<{ n: string }>(u, `SELECT count(*) AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`);
    expect(await migrations(other("regatta_restored"))).toEqual(await migrations(source()));
    // the next audit event continues the id sequence instead of colliding with a restored one
    const next = await one<{ id: string }>(other("regatta_restored"), `SELECT nextval(pg_get_serial_sequence('"AuditEvent"', 'id'))::text AS id`);
    expect(BigInt(next.id)).toBeGreaterThan(BigInt((await one<{ id: string }>(source(), `SELECT coalesce(max(id), 0)::text AS id FROM "AuditEvent"`)).id));

    // a second restore over it is refused and changes nothing
    const again = await restoreCli(file, other("regatta_restored"));
    expect(again.code).toBe(1);
    expect(again.out).toContain("the database is not empty");
  });

  it("after a drop, a restore without the backed-up master key says which key it needs", async () => {
    const file = path.join(dir, "regatta.jsonl.gz");
    await adminSql("DROP DATABASE IF EXISTS regatta_restored WITH (FORCE)");
    await adminSql("CREATE DATABASE regatta_restored");
    const wrong = await restoreCli(file, other("regatta_restored"), Buffer.alloc(32, 7).toString("base64"));
    expect(wrong.code).toBe(1);
    expect(wrong.out).toMatch(/the credentials need master key\(s\) [0-9a-f]{16}, which are not configured here/);
    expect(wrong.out).not.toContain(process.env.REGATTA_MASTER_KEY!);
  });
});

// A superuser who disables the trigger and edits a row is caught by `npm run audit:verify`.
import { execFileSync } from "node:child_process";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { appendAudit } from "@/lib/audit/log";
import { testDatabaseUrl } from "../support/workers";

function verify(): { code: number; out: string } {
  try {
    const out = execFileSync("npx", ["tsx", "--conditions=react-server", "scripts/audit-verify.ts"], {
      env: { ...process.env, DATABASE_URL: testDatabaseUrl() }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
    });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, out: err.stdout + err.stderr };
  }
}

describe("npm run audit:verify", () => {
  it("says the chain is intact, then names the first event changed behind its back", async () => {
    const c = new pg.Client({ connectionString: testDatabaseUrl() });
    await c.connect();
    // rows inserted by hand in other tests carry no real chain: start from a clean log
    await c.query(`ALTER TABLE "AuditEvent" DISABLE TRIGGER USER`);
    await c.query(`DELETE FROM "AuditEvent"`);
    await c.query(`ALTER TABLE "AuditEvent" ENABLE TRIGGER USER`);
    for (const actor of ["a@x.test", "b@x.test", "c@x.test", "d@x.test"]) {
      await appendAudit({ actorKind: "USER", actor, action: "registry.create", outcome: "success", details: { n: actor } });
    }
    const ok = verify();
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("audit log intact: 4 events");

    const { rows } = await c.query(`SELECT id FROM "AuditEvent" ORDER BY id`);
    const victim = rows[2].id;
    await c.query(`ALTER TABLE "AuditEvent" DISABLE TRIGGER USER`);
    await c.query(`UPDATE "AuditEvent" SET actor = 'mallory@x.test' WHERE id = $1`, [victim]);
    await c.query(`ALTER TABLE "AuditEvent" ENABLE TRIGGER USER`);
    await c.end();

    const bad = verify();
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`BROKEN at event ${victim}`);
    expect(bad.out).toContain("2 events before it are intact");
  });
});

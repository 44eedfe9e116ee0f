import { describe, expect, it } from "vitest";
import pg from "pg";
import { diffMigrationsToSchema } from "../../scripts/lib/schema-engine.ts";
import { migrate, readMigrations } from "../../scripts/lib/migrate.ts";
import { testDatabaseUrl } from "../support/workers";

describe("schema history", () => {
  it("prisma/migrations builds exactly what schema.prisma describes", async () => {
    // Prisma's own schema engine (WASM) replays the migrations into a shadow database and diffs
    expect(await diffMigrationsToSchema(testDatabaseUrl())).toBe("");
  });

  it("applies each migration once and records it in _prisma_migrations", async () => {
    const url = testDatabaseUrl();
    expect(await migrate(url)).toEqual([]);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rows } = await c.query(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY 1`);
    await c.end();
    expect(rows.map((r) => r.migration_name)).toEqual(readMigrations().map((m) => m.name));
  });

  it("rejects UPDATE and DELETE of audit events in the database itself", async () => {
    const c = new pg.Client({ connectionString: testDatabaseUrl() });
    await c.connect();
    try {
      await c.query(`INSERT INTO "AuditEvent" ("actorKind","actor","action","outcome","prevHash","hash") VALUES ('SYSTEM','t','test','success','x','trigger-test')`);
      await expect(c.query(`UPDATE "AuditEvent" SET actor = 'mallory' WHERE hash = 'trigger-test'`)).rejects.toThrow(/append-only/);
      await expect(c.query(`DELETE FROM "AuditEvent" WHERE hash = 'trigger-test'`)).rejects.toThrow(/append-only/);
      await expect(c.query(`TRUNCATE "AuditEvent"`)).rejects.toThrow(/append-only/);
    } finally {
      await c.end();
    }
  });
});

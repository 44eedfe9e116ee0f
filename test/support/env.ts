// vitest setupFile for integration tests: point lib/db at the run's database, and give the
// secrets module a key of its own.
import { inject } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";

// this worker's own copy of the migrated database (test/support/db-setup.ts)
{
  const urls = inject("databaseUrls" as never) as string[];
  const id = Number(process.env.VITEST_POOL_ID || 1);
  const url = urls[id - 1];
  if (!url) throw new Error(`no database for vitest worker ${id} (${urls.length} made): keep maxWorkers and integrationWorkers() equal`);
  process.env.REGATTA_TEST_DATABASE_URL = url;
  process.env.DATABASE_URL = url;
}
process.env.REGATTA_MASTER_KEY ||= randomBytes(32).toString("base64");
// Every test file runs under a master key of its own, but all append to one audit chain in the
// run's database: each file's derived audit key joins one keys file per database (as
// `npm start` retains the keys of every master key it has seen), so any file can verify the chain.
const run = createHash("sha256").update(process.env.DATABASE_URL).digest("hex").slice(0, 12);
process.env.REGATTA_AUDIT_KEYS_FILE ||= path.resolve(`.test-data/audit/keys-${run}`);
process.env.REGATTA_AUDIT_CHECKPOINT_FILE ||= path.resolve(`.test-data/audit/checkpoint-${process.pid}-${randomBytes(4).toString("hex")}.json`);
{
  const { retainAuditKeys } = await import("@/lib/audit/keys");
  retainAuditKeys();
}
// no scheduled sync in tests: the sync tests start it themselves
process.env.REGATTA_SYNC_INTERVAL_MINUTES ??= "0";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrls: string[];
  }
}

// vitest setupFile for integration tests: point lib/db at the run's database, and give the
// secrets module a key of its own.
import { inject } from "vitest";
import { randomBytes } from "node:crypto";
import path from "node:path";

process.env.DATABASE_URL = inject("databaseUrl" as never) as string;
process.env.REGATTA_MASTER_KEY ||= randomBytes(32).toString("base64");
// the audit chain's signed checkpoint: one file per run, beside no other run's database
process.env.REGATTA_AUDIT_KEYS_FILE ||= path.resolve(`.test-data/audit/keys-${process.pid}-${randomBytes(4).toString("hex")}`);
process.env.REGATTA_AUDIT_CHECKPOINT_FILE ||= path.resolve(`.test-data/audit/checkpoint-${process.pid}-${randomBytes(4).toString("hex")}.json`);
// no scheduled sync in tests: the sync tests start it themselves
process.env.REGATTA_SYNC_INTERVAL_MINUTES ??= "0";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

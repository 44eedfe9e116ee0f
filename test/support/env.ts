// vitest setupFile for integration tests: point lib/db at the run's database, and give the
// secrets module a key of its own.
import { inject } from "vitest";
import { randomBytes } from "node:crypto";

process.env.DATABASE_URL = inject("databaseUrl" as never) as string;
process.env.REGATTA_MASTER_KEY ||= randomBytes(32).toString("base64");
// no scheduled sync in tests: the sync tests start it themselves
process.env.REGATTA_SYNC_INTERVAL_MINUTES ??= "0";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

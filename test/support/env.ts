// vitest setupFile for integration tests: point lib/db at the run's database, and give the
// secrets module a key of its own.
import { inject } from "vitest";
import { randomBytes } from "node:crypto";

process.env.DATABASE_URL = inject("databaseUrl" as never) as string;
process.env.REGATTA_MASTER_KEY ||= randomBytes(32).toString("base64");

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

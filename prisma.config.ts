// Prisma's CLI configuration. Only `prisma generate` is used: migrations are written with
// `npm run migrate:new` and applied by scripts/lib/migrate.ts (no native engine download here).
import path from "node:path";
import { defineConfig } from "prisma/config";

// generate only checks that an engine file exists; this one explains itself if run
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve("scripts/no-schema-engine.sh");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  // env("DATABASE_URL") would throw when unset, and generate needs no database
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://unused@127.0.0.1/unused" },
});

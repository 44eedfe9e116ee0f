import "server-only";
// What /api/ready checks: the database answers, its migrations are the ones this build ships,
// this instance's job workers run, the master key loaded, and the instance is not shutting down.
// Each failing part is named in words an operator can act on, without hosts, versions or secrets.
import fs from "node:fs";
import path from "node:path";
import { db } from "@/lib/db";
import { workersStarted } from "@/lib/jobs/boss";
import { loadKeyring } from "@/lib/secrets/keyring";
import { shuttingDown } from "./shutdown";

export interface Readiness {
  ok: boolean;
  failing: string[];
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error("timed out")), ms).unref())]);
}

/** The migration folders this build ships (prisma/migrations, next to the app). */
function shippedMigrations(): string[] {
  const dir = path.join(/*turbopackIgnore: true*/ process.cwd(), "prisma", "migrations");
  return fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, "migration.sql"))).sort();
}

export async function readiness(): Promise<Readiness> {
  const failing: string[] = [];
  if (shuttingDown()) failing.push("shutdown: this instance is shutting down");
  let applied: string[] | null = null;
  try {
    const rows = await withTimeout(
      db.$queryRawUnsafe<{ migration_name: string }[]>(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`),
      3000,
    );
    applied = rows.map((r) => r.migration_name);
  } catch {
    failing.push("database: not reachable, or its schema is not Regatta's");
  }
  if (applied) {
    try {
      const have = new Set(applied);
      const missing = shippedMigrations().filter((m) => !have.has(m));
      if (missing.length) failing.push(`migrations: ${missing.length} not applied (latest ${missing[missing.length - 1]}); the start-up applies them`);
    } catch {
      failing.push("migrations: this build's migration files cannot be read");
    }
  }
  if (!workersStarted()) failing.push("jobs: this instance's job workers are not running");
  try {
    loadKeyring();
  } catch {
    failing.push("master key: not loaded (set REGATTA_MASTER_KEY or REGATTA_MASTER_KEY_FILE)");
  }
  return { ok: failing.length === 0, failing };
}

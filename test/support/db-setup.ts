// vitest globalSetup for integration tests: a fresh embedded PostgreSQL (or a fresh database on
// the server in TEST_DATABASE_URL), migrated once, then copied into one database per vitest worker
// (test files run two at a time, each worker's files one after another on a database of its own,
// as they ran on one before); and the run's seed cache.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { startEmbedded } from "../../scripts/lib/database.ts";
import { migrate } from "../../scripts/lib/migrate.ts";
import { integrationWorkers } from "./workers.ts";

export default async function setup({ provide }: { provide: (key: string, value: unknown) => void }) {
  let stop = async () => {};
  let url: string;
  if (process.env.TEST_DATABASE_URL) {
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    const name = `regatta_test_${process.pid}`;
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(process.env.TEST_DATABASE_URL);
    u.pathname = `/${name}`;
    url = u.toString();
  } else {
    // one database per run, so two runs in one checkout do not wipe each other's
    const dir = path.resolve(`.test-data/vitest-pg-${process.pid}`);
    fs.rmSync(dir, { recursive: true, force: true });
    const db = await startEmbedded({ dir });
    url = db.url;
    stop = async () => {
      await db.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  await migrate(url);
  // one copy of the migrated database per worker (CREATE DATABASE … TEMPLATE: a file copy, well under a second)
  const template = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  const workerUrls: string[] = [];
  try {
    for (let i = 1; i <= integrationWorkers(); i++) {
      const name = `${template}_w${i}`;
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      const u = new URL(url);
      u.pathname = `/${name}`;
      workerUrls.push(u.toString());
    }
  } finally {
    await c.end();
  }
  provide("databaseUrls", workerUrls);
  // the standard seed and big images, built once for the whole run (test/harness/seed-cache.ts);
  // the test files' worker processes inherit the variable
  let seedCache: string | undefined;
  if (!process.env.REGATTA_SEED_CACHE) {
    seedCache = path.resolve(`.test-data/seed-cache/run-${process.pid}`);
    fs.rmSync(seedCache, { recursive: true, force: true });
    process.env.REGATTA_SEED_CACHE = seedCache;
  }
  return async () => {
    await stop();
    if (seedCache) fs.rmSync(seedCache, { recursive: true, force: true });
  };
}

// How many integration test files run at once (REGATTA_TEST_WORKERS, default 2: this machine's
// cores), and the database of the worker a test file runs in (one per worker, made by db-setup.ts).
// Import nothing from vitest at the top: vitest.config.ts reads integrationWorkers() too.

export const integrationWorkers = (): number => Math.max(1, Number(process.env.REGATTA_TEST_WORKERS || 2));

/** This worker's database (its owner's URL): set by test/support/env.ts before any test file loads. */
export function testDatabaseUrl(): string {
  const url = process.env.REGATTA_TEST_DATABASE_URL;
  if (!url) throw new Error("REGATTA_TEST_DATABASE_URL is not set: run integration tests through vitest's integration project");
  return url;
}

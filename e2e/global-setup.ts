// Starts Regatta the way `npm start` does, on a fresh data directory, with its log in a file the
// specs read (to prove no secret reaches it). Stopped when the run ends.
import path from "node:path";
import { startApp } from "../scripts/lib/app-server";

// one directory (database, log, signed-in state) per lane: `npm test` runs two lanes side by side (playwright.config.ts)
export const E2E_DIR = path.resolve(process.env.E2E_DIR || ".test-data/e2e");
export const ADMIN = { email: "admin@e2e.test", password: "e2e-admin-password-1" };

export default async function globalSetup() {
  const app = await startApp({
    dir: E2E_DIR, port: Number(process.env.E2E_PORT || 3210), admin: ADMIN,
    // notifications: the specs' receivers listen on 127.0.0.1, and retries come quickly
    env: { REGATTA_NOTIFY_ALLOW_PRIVATE: "1", REGATTA_NOTIFY_RETRY_DELAY_SECONDS: "1", REGATTA_NOTIFY_RETRY_LIMIT: "1" },
  });
  process.env.E2E_DATABASE_URL = app.databaseUrl;
  process.env.E2E_SERVER_LOG = app.logPath;
  return () => app.stop();
}

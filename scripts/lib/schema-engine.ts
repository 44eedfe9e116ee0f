// Prisma's schema engine as WebAssembly, run in-process over @prisma/adapter-pg. Prisma's CLI
// would download a native engine from a host these machines cannot reach; the WASM build of
// the same engine (its version suffix equals @prisma/engines-version) needs no download.
// Development tool only: the app applies migrations with scripts/lib/migrate.ts.
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } from "@prisma/driver-adapter-utils";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import pg from "pg";

type Engine = {
  diff(params: unknown): Promise<{ exitCode: number; stdout: string | null }>;
  free(): void;
};

const require = createRequire(import.meta.url);

async function loadWasm() {
  // the engine reports a panic here before it throws
  const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(m: string): void } };
  g.PRISMA_WASM_PANIC_REGISTRY ??= { set_message: (m) => console.error(`prisma schema engine panicked: ${m}`) };
  const dir = path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
  const bg = await import(path.join(dir, "schema_engine_bg.js"));
  const bytes = fs.readFileSync(path.join(dir, "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bg });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  return bg as { SchemaEngine: { new: (o: unknown, cb: unknown, a: unknown) => Promise<Engine> } };
}

// Separate fields, not a connection string: adapter-pg spreads its config with another
// `database` for the shadow database, which a connectionString would silently override.
export function pgConfig(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1) || "postgres",
  };
}

export const SCHEMA_PATH = path.resolve("prisma/schema.prisma");
export const MIGRATIONS_DIR = path.resolve("prisma/migrations");

function migrationList() {
  const dirs = fs.existsSync(MIGRATIONS_DIR)
    ? fs.readdirSync(MIGRATIONS_DIR).filter((d) => fs.existsSync(path.join(MIGRATIONS_DIR, d, "migration.sql"))).sort()
    : [];
  const lock = path.join(MIGRATIONS_DIR, "migration_lock.toml");
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: { path: lock, content: fs.existsSync(lock) ? fs.readFileSync(lock, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((d) => ({
      path: path.join(MIGRATIONS_DIR, d),
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok", value: fs.readFileSync(path.join(MIGRATIONS_DIR, d, "migration.sql"), "utf8") },
      },
    })),
  };
}

// Two things adapter-pg cannot do for the engine: read PostgreSQL's "char" type (pg_class.relkind
// and friends, which introspection selects: read it as text, then tell the engine it is a char), and
// run a script holding a function body ($$ … ; … $$), which its executeScript splits on ";".
function patchAdapter<T extends object>(adapter: T): T {
  const a = adapter as unknown as {
    client: { query(sql: string): Promise<unknown> };
    performIO(q: unknown): Promise<{ fields: { dataTypeID: number }[] }>;
    queryRaw(q: unknown): Promise<{ columnTypes: number[] }>;
    executeScript(script: string): Promise<void>;
    onError(error: unknown): never;
  };
  const perform = a.performIO.bind(a);
  const queryRaw = a.queryRaw.bind(a);
  let charColumns: number[] = [];
  a.performIO = async (q) => {
    const result = await perform(q);
    charColumns = [];
    result.fields.forEach((f, i) => {
      if (f.dataTypeID === 18) {
        f.dataTypeID = 25;
        charColumns.push(i);
      }
    });
    return result;
  };
  a.queryRaw = async (q) => {
    const result = await queryRaw(q);
    for (const i of charColumns) result.columnTypes[i] = ColumnTypeEnum.Character;
    return result;
  };
  a.executeScript = async (script) => {
    try {
      await a.client.query(script);
    } catch (error) {
      a.onError(error);
    }
  };
  return adapter;
}

// adapter-pg drops its shadow database while its pool still holds idle connections, which
// then die with an unhandled pool error; this shadow database closes its pool first.
function adapterFactory(url: string) {
  const config = pgConfig(url);
  const main = new PrismaPg(config);
  return {
    provider: main.provider,
    adapterName: main.adapterName,
    connect: async () => patchAdapter(await main.connect()),
    async connectToShadowDb() {
      const name = `regatta_shadow_${randomUUID().replaceAll("-", "")}`;
      const admin = new pg.Client(config);
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
      const shadow = await new PrismaPg({ ...config, database: name }).connect();
      const dispose = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await dispose();
        const drop = new pg.Client(config);
        await drop.connect();
        await drop.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await drop.end();
      };
      return patchAdapter(shadow);
    },
  };
}

/**
 * The SQL that takes the database built by prisma/migrations/ to schema.prisma;
 * empty when the two agree. Uses a throw-away shadow database on the server at `url`.
 */
export async function diffMigrationsToSchema(url: string): Promise<string> {
  const { SchemaEngine } = await loadWasm();
  const schema = { files: [{ path: SCHEMA_PATH, content: fs.readFileSync(SCHEMA_PATH, "utf8") }] };
  const adapter = bindMigrationAwareSqlAdapterFactory(adapterFactory(url) as never);
  const engine = await SchemaEngine.new({ datamodels: [[SCHEMA_PATH, schema.files[0].content]] }, () => {}, adapter);
  try {
    const result = await engine.diff({
      from: { tag: "migrations", ...migrationList() },
      to: { tag: "schemaDatamodel", ...schema },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    return (result.stdout ?? "").replace(/^-- This is an empty migration\.\s*$/m, "").trim();
  } finally {
    engine.free();
  }
}

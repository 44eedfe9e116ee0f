// `node --import tsx scripts/migrate-deploy.ts`: applies pending migrations and exits (a Kubernetes
// init container, a release step). Migrations run as DATABASE_MIGRATION_URL (the owner) when set,
// then the app role of DATABASE_URL gets its grants (audit log: SELECT and INSERT only) exactly as
// at start-up; the same advisory lock as the start-up's, so instances and this step take turns.
import { grantAppRole } from "./lib/database.ts";
import { migrate } from "./lib/migrate.ts";

const app = process.env.DATABASE_URL;
const owner = process.env.DATABASE_MIGRATION_URL || app;
if (!app || !owner) {
  console.error("DATABASE_URL is not set");
  process.exit(2);
}
try {
  const applied = await migrate(owner, (m) => console.log(m));
  console.log(applied.length ? `${applied.length} migrations applied` : "database is up to date");
  if (await grantAppRole(owner, app)) console.log("app role granted: audit log SELECT and INSERT only");
  else console.warn("WARNING: the app and the migrations use one database role, which can rewrite the audit log; set DATABASE_MIGRATION_URL (owner) beside DATABASE_URL (app role). See docs/DATABASE.md.");
} catch (e) {
  console.error(`migration failed: ${(e as Error).message}`);
  process.exitCode = 1;
}

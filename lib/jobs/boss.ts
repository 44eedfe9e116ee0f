import "server-only";
// pg-boss on the app's own PostgreSQL: every instance runs workers, each job runs once. This
// folder is only the queue (start, stop, send, work, wake-ups): the use cases that handle its jobs
// live in lib/services and register their handlers at start-up (lib/services/workers.ts).
import PgBoss from "pg-boss";
import { stopWakeups } from "./wake";

export const PROMOTION_QUEUE = "promotion";

const g = globalThis as unknown as { regattaBoss?: Promise<PgBoss>; regattaWorkers?: WorkersState };

export type WorkersState = "started" | "stopping" | "stopped";

/** Whether this instance's job handlers (registered by lib/services/workers.ts) are taking jobs. */
export function workersState(): WorkersState | undefined {
  return g.regattaWorkers;
}

export function setWorkersState(state: WorkersState) {
  g.regattaWorkers = state;
}

/** Readiness: the job workers of this instance are taking jobs. */
export function workersStarted(): boolean {
  return g.regattaWorkers === "started";
}

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

import "server-only";
// pg-boss on the app's own PostgreSQL: every instance runs workers, each job runs once. This
// folder is only the queue (start, stop, send, work, wake-ups): the use cases that handle its jobs
// live in lib/services and register their handlers at start-up (lib/services/workers.ts).
import PgBoss from "pg-boss";
import { processWide } from "@/lib/process-wide";
import { stopWakeups } from "./wake";

export const PROMOTION_QUEUE = "promotion";

const g = processWide("jobs", (): { boss?: Promise<PgBoss>; workers?: WorkersState } => ({}));

export type WorkersState = "started" | "stopping" | "stopped";

/** Whether this instance's job handlers (registered by lib/services/workers.ts) are taking jobs. */
export function workersState(): WorkersState | undefined {
  return g.workers;
}

export function setWorkersState(state: WorkersState) {
  g.workers = state;
}

/** Readiness: the job workers of this instance are taking jobs. */
export function workersStarted(): boolean {
  return g.workers === "started";
}

export function boss(): Promise<PgBoss> {
  g.boss ??= (async () => {
    const b = new PgBoss({ connectionString: process.env.DATABASE_URL, schema: "pgboss", max: 4 });
    b.on("error", (err) => console.error(`[regatta] job queue: ${err.message}`));
    await b.start();
    await b.createQueue(PROMOTION_QUEUE);
    return b;
  })();
  return g.boss;
}

export async function stopBoss() {
  const b = await g.boss;
  await stopWakeups();
  // cleared once stopped: a handler finishing meanwhile still sends through this one
  await b?.stop({ graceful: true, wait: true, timeout: 10_000 });
  g.boss = undefined;
}

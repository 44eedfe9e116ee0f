import "server-only";
// The Next server's half of a graceful stop (SIGTERM): readiness turns 503 at once, no new jobs
// are taken, running ones finish or are handed back, pg-boss stops, the pools close. The server of
// `npm start` (scripts/start.ts) has already stopped taking connections when it calls this
// (instrumentation.ts publishes it as globalThis.regattaShutdown).
import { db } from "@/lib/db";
import { closeLockPool } from "@/lib/jobs/promotion-worker";
import { stopWorkers } from "@/lib/jobs/workers";
import { errFields, log } from "./log";

const g = globalThis as unknown as { regattaShuttingDown?: boolean };

export function shuttingDown(): boolean {
  return !!g.regattaShuttingDown;
}

/** Seconds a running promotion gets to finish before it is handed back (REGATTA_SHUTDOWN_GRACE_SECONDS, default 20). */
export function graceMs(): number {
  const s = Number(process.env.REGATTA_SHUTDOWN_GRACE_SECONDS ?? 20);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : 20_000;
}

export async function shutdown(signal: string): Promise<void> {
  if (g.regattaShuttingDown) return;
  g.regattaShuttingDown = true;
  const t0 = Date.now();
  log.info({ signal }, "shutdown: draining");
  try {
    const jobs = await stopWorkers(graceMs());
    await closeLockPool();
    await db.$disconnect();
    log.info({ ...jobs, ms: Date.now() - t0 }, "shutdown: done");
  } catch (e) {
    log.error(errFields(e), "shutdown: not clean");
  }
}

import "server-only";
// The services register their job handlers with the queue (lib/jobs) at start-up: every instance
// works on the queues. stopWorkers() is the graceful half of a shutdown: no new jobs, running ones
// finish (or, after the grace time, promotions are handed back to the queue so another instance
// resumes them), then pg-boss stops. shutdown() is the whole of it (SIGTERM).
import { db } from "@/lib/db";
import { boss, PROMOTION_QUEUE, setWorkersState, stopBoss, workersState } from "@/lib/jobs/boss";
import { listenForWakeups } from "@/lib/jobs/wake";
import { errFields, log } from "@/lib/observability/log";
import { metrics, onScrape } from "@/lib/observability/metrics";
import { beginShutdown, graceMs } from "@/lib/observability/shutdown";
import { processWide } from "@/lib/process-wide";
import { HEALTH_WATCH_QUEUE, NOTIFY_QUEUE, startNotificationWorker } from "./notifications";
import { RETENTION_SCHEDULE_QUEUE, startRetentionScheduler } from "./retention";
import { closeLockPool, handBackPromotions, localRoom, promotionsInFlight, recoverStalePromotions, resumePromotions, runPromotion, staleMs } from "./promotion-run";
import { startSyncWorkers, SYNC_ALL_QUEUE, SYNC_QUEUE } from "./registry-sync";

const g = processWide("workers", (): { recovery?: ReturnType<typeof setInterval> } => ({}));

export async function startWorkers() {
  resumePromotions();
  const b = await boss();
  // the run's duration is measured inside runPromotion, whichever way it started; both series are
  // there from the start (an instance that ran nothing yet says 0, not nothing)
  for (const outcome of ["completed", "failed"]) metrics.jobDuration.zero({ queue: PROMOTION_QUEUE, outcome });
  const promotions = await b.work<{ id: string }>(PROMOTION_QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
    await runPromotion(job.data.id);
  });
  // a promotion requested on any instance wakes this worker at once (no polling round); with room
  // here it starts from the wake-up itself (the row's QUEUED → RUNNING claim decides who runs it)
  await listenForWakeups(b, PROMOTION_QUEUE, promotions, (id) => {
    if (!localRoom()) return false;
    void runPromotion(id).catch((err) => log.error({ promotionId: id, ...errFields(err) }, "promotion run failed"));
    return true;
  });
  await startSyncWorkers(b);
  await startNotificationWorker(b);
  await startRetentionScheduler(b);
  // promotions a stopped instance left RUNNING: failed with the reason (retry allowed), now and
  // then every while; every instance may do it, one UPDATE decides who recovers which
  const recover = () => recoverStalePromotions().then(
    (ids) => ids.length && log.warn({ promotions: ids }, `marked ${ids.length} interrupted promotion(s) failed`),
    (err) => log.error({ err: (err as Error).message }, "recovering interrupted promotions failed"),
  );
  await recover();
  g.recovery ??= setInterval(() => void recover(), Math.min(staleMs() / 2, 60_000));
  g.recovery.unref();
  // queue depths as PostgreSQL holds them (pg-boss's own table): the same on every instance
  onScrape("jobs", async () => {
    const rows = await db.$queryRawUnsafe<{ name: string; state: string; n: bigint }[]>(
      `SELECT name, state::text AS state, count(*) AS n FROM pgboss.job
        WHERE state IN ('created', 'retry', 'active') OR (state = 'failed' AND completed_on > now() - interval '24 hours')
        GROUP BY name, state`,
    );
    metrics.jobs.reset();
    for (const q of [PROMOTION_QUEUE, SYNC_QUEUE, SYNC_ALL_QUEUE]) for (const s of ["queued", "running", "failed"]) metrics.jobs.set({ queue: q, state: s }, 0);
    for (const r of rows) {
      const state = r.state === "active" ? "running" : r.state === "failed" ? "failed" : "queued";
      metrics.jobs.inc({ queue: r.name, state }, Number(r.n));
    }
  });
  setWorkersState("started");
}

/**
 * Stops taking jobs, waits up to `graceMs` for running promotions, hands back the rest (they go
 * back to QUEUED with a new job; the copy resumes elsewhere and skips the blobs already there),
 * then stops pg-boss. Safe to call twice.
 */
export async function stopWorkers(graceMs = 20_000): Promise<{ finished: number; handedBack: number }> {
  if (workersState() !== "started") return { finished: 0, handedBack: 0 };
  setWorkersState("stopping");
  if (g.recovery) clearInterval(g.recovery);
  g.recovery = undefined;
  const b = await boss();
  await Promise.all([PROMOTION_QUEUE, SYNC_QUEUE, SYNC_ALL_QUEUE, NOTIFY_QUEUE, HEALTH_WATCH_QUEUE, RETENTION_SCHEDULE_QUEUE].map((q) => b.offWork(q).catch(() => {})));
  const before = promotionsInFlight();
  const deadline = Date.now() + graceMs;
  while (promotionsInFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const handedBack = await handBackPromotions();
  if (handedBack) log.warn({ handedBack }, "shutdown: promotions still running were handed back to the queue");
  // pg-boss waits for its handlers; one that started late found the hand-back flag and re-queued
  await stopBoss();
  setWorkersState("stopped");
  return { finished: Math.max(0, before - handedBack), handedBack };
}

/**
 * The Next server's half of a graceful stop (SIGTERM): readiness turns 503 at once, no new jobs
 * are taken, running ones finish or are handed back, pg-boss stops, the pools close. The server of
 * `npm start` (scripts/start.ts) has already stopped taking connections when it calls this
 * (instrumentation.ts publishes it: lib/observability/shutdown.ts publishDrain).
 */
export async function shutdown(signal: string): Promise<void> {
  if (!beginShutdown()) return;
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

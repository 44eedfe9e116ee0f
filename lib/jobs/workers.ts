import "server-only";
import { boss, PROMOTION_QUEUE } from "./boss";
import { recoverStalePromotions, runPromotion, staleMs } from "./promotion-worker";
import { startSyncWorkers } from "./sync-worker";
import { startNotificationWorker } from "@/lib/services/notifications";

export async function startWorkers() {
  const b = await boss();
  await b.work<{ id: string }>(PROMOTION_QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
    await runPromotion(job.data.id);
  });
  await startSyncWorkers(b);
  await startNotificationWorker(b);
  // promotions a stopped instance left RUNNING: failed with the reason (retry allowed), now and
  // then every while; every instance may do it, one UPDATE decides who recovers which
  const recover = () => recoverStalePromotions().then(
    (ids) => ids.length && console.warn(`[regatta] marked ${ids.length} interrupted promotion(s) failed: ${ids.join(", ")}`),
    (err) => console.error(`[regatta] recovering interrupted promotions: ${(err as Error).message}`),
  );
  await recover();
  g.regattaRecovery ??= setInterval(() => void recover(), Math.min(staleMs() / 2, 60_000));
  g.regattaRecovery.unref();
}

const g = globalThis as unknown as { regattaRecovery?: ReturnType<typeof setInterval> };

import "server-only";
import { boss, PROMOTION_QUEUE } from "./boss";
import { runPromotion } from "./promotion-worker";
import { startSyncWorkers } from "./sync-worker";
import { listenForWakeups } from "./wake";

export async function startWorkers() {
  const b = await boss();
  const promotions = await b.work<{ id: string }>(PROMOTION_QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
    await runPromotion(job.data.id);
  });
  // a promotion requested on any instance wakes this worker at once (no polling round)
  await listenForWakeups(b, PROMOTION_QUEUE, promotions);
  await startSyncWorkers(b);
}

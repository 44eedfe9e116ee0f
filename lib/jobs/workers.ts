import "server-only";
import { boss, PROMOTION_QUEUE } from "./boss";
import { runPromotion } from "./promotion-worker";
import { startSyncWorkers } from "./sync-worker";

export async function startWorkers() {
  const b = await boss();
  await b.work<{ id: string }>(PROMOTION_QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
    await runPromotion(job.data.id);
  });
  await startSyncWorkers(b);
}

import "server-only";
// "Sync now" and "when did it last run" for one registry; the work itself is lib/jobs/sync-worker.
import { requestSync, syncStatus, type SyncStatus } from "@/lib/jobs/sync-worker";
import { getRegistry } from "./registries";

export type { SyncStatus };

export async function getSyncStatus(registryId: string): Promise<SyncStatus> {
  await getRegistry(registryId);
  return syncStatus(registryId);
}

/** Queues a sync; `queued: false` when one is already waiting (it does the same work). */
export async function startSync(registryId: string): Promise<{ queued: boolean; jobId: string | null; status: SyncStatus }> {
  await getRegistry(registryId);
  const jobId = await requestSync(registryId, "manual");
  return { queued: jobId !== null, jobId, status: await syncStatus(registryId) };
}

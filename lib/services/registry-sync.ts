import "server-only";
// The background sync: for each registry, every repository, every tag HEADed (no pull counted on
// Docker Hub), recorded through the tag table's own recording code. What changed since the last
// look goes to the tag history (source SYNC) and to the audit log with actor "unknown": a poll
// sees that a tag moved, not who moved it, and only that it happened between two looks.
// "Sync now" and "when did it last run" for one registry are here too (getSyncStatus, startSync).
import type PgBoss from "pg-boss";
import { db } from "@/lib/db";
import { boss } from "@/lib/jobs/boss";
import { mapLimit } from "@/lib/concurrency";
import type { SyncResult, SyncStatus } from "@/lib/schemas/sync";
import { listRepositories, listTags } from "./browse";
import { registryClient } from "./clients";
import { processWide } from "@/lib/process-wide";
import { getRegistry } from "./registries";
import { auditObserved } from "./tag-details";
import { recordTags, removeGoneTags, type SeenTag } from "./tag-history";

export type { SyncResult, SyncStatus };

export const SYNC_QUEUE = "registry-sync";
/** The scheduled tick: sends one SYNC_QUEUE job per registry. */
export const SYNC_ALL_QUEUE = "registry-sync-all";

const HEAD_CONCURRENCY = 8;
const REPOSITORY_CONCURRENCY = 2;
const MAX_CATALOG_PAGES = 10_000;

export interface SyncJob { registryId: string; reason: "schedule" | "manual" }

/** Minutes between scheduled syncs; 0 turns the schedule off. */
export function syncIntervalMinutes(): number {
  const raw = process.env.REGATTA_SYNC_INTERVAL_MINUTES;
  const n = raw === undefined || raw.trim() === "" ? 15 : Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`[regatta] REGATTA_SYNC_INTERVAL_MINUTES=${raw} is not a number of minutes; using 15`);
    return 15;
  }
  return Math.floor(n);
}

/** A cron line for "every n minutes" (pg-boss schedules by cron, one instance fires it). */
export function cronEvery(minutes: number): string {
  if (minutes < 60) return `*/${minutes} * * * *`;
  const hours = Math.max(1, Math.round(minutes / 60));
  return hours >= 24 ? "0 0 * * *" : `0 */${hours} * * *`;
}

const g = processWide("syncQueues", (): { created?: Promise<void> } => ({}));

/** stately: at most one sync per registry running and one waiting, whatever the instance count. */
function ensureQueues(b: PgBoss): Promise<void> {
  g.created ??= (async () => {
    await b.createQueue(SYNC_QUEUE, { name: SYNC_QUEUE, policy: "stately", retryLimit: 0, expireInSeconds: 3600 });
    await b.createQueue(SYNC_ALL_QUEUE, { name: SYNC_ALL_QUEUE, policy: "stately", retryLimit: 0 });
  })().catch((e) => {
    g.created = undefined;
    throw e;
  });
  return g.created;
}

export async function startSyncWorkers(b: PgBoss) {
  await ensureQueues(b);
  await b.work<SyncJob>(SYNC_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => syncRegistry(job.data.registryId));
  await b.work(SYNC_ALL_QUEUE, { batchSize: 1, pollingIntervalSeconds: 5 }, async () => {
    for (const r of await db.registry.findMany({ select: { id: true } })) await requestSync(r.id, "schedule");
  });
  const minutes = syncIntervalMinutes();
  if (minutes > 0) await b.schedule(SYNC_ALL_QUEUE, cronEvery(minutes));
  else await b.unschedule(SYNC_ALL_QUEUE).catch(() => {});
}

export async function getSyncStatus(registryId: string): Promise<SyncStatus> {
  await getRegistry(registryId);
  return syncStatus(registryId);
}

/** "Sync now": queues a sync; `queued: false` when one is already waiting (it does the same work). */
export async function startSync(registryId: string): Promise<{ queued: boolean; jobId: string | null; status: SyncStatus }> {
  await getRegistry(registryId);
  const jobId = await requestSync(registryId, "manual");
  return { queued: jobId !== null, jobId, status: await syncStatus(registryId) };
}

/** Queues a sync of one registry; null when one is already waiting (it will do the same work). */
export async function requestSync(registryId: string, reason: SyncJob["reason"] = "manual"): Promise<string | null> {
  const b = await boss();
  await ensureQueues(b);
  return b.send(SYNC_QUEUE, { registryId, reason } satisfies SyncJob, { singletonKey: registryId });
}

interface JobRow { state: string; created_on: Date; started_on: Date | null; completed_on: Date | null; output: unknown }

/** The newest sync jobs of a registry, from pg-boss's own tables (live and archived). */
export async function syncStatus(registryId: string): Promise<SyncStatus> {
  await ensureQueues(await boss());
  const rows = await db.$queryRaw<JobRow[]>`
    SELECT state::text AS state, created_on, started_on, completed_on, output FROM (
      SELECT state, created_on, started_on, completed_on, output FROM pgboss.job WHERE name = ${SYNC_QUEUE} AND singleton_key = ${registryId}
      UNION ALL
      SELECT state, created_on, started_on, completed_on, output FROM pgboss.archive WHERE name = ${SYNC_QUEUE} AND singleton_key = ${registryId}
    ) j ORDER BY created_on DESC LIMIT 10`;
  const intervalMinutes = syncIntervalMinutes();
  type View = Pick<SyncStatus, "queuedAt" | "startedAt" | "finishedAt" | "result" | "error"> & { state: Exclude<SyncStatus["state"], "never"> };
  const view = (r: JobRow): View => {
    const failed = r.state === "failed" || r.state === "cancelled";
    const out = r.output as (SyncResult & { message?: string }) | null;
    return {
      state: failed ? "failed" : r.state === "completed" ? "succeeded" : r.state === "active" ? "running" : "queued",
      queuedAt: r.created_on.toISOString(),
      ...(r.started_on ? { startedAt: r.started_on.toISOString() } : {}),
      ...(r.completed_on ? { finishedAt: r.completed_on.toISOString() } : {}),
      ...(failed ? { error: out?.message ?? "the sync failed" } : out?.registryId ? { result: out } : {}),
    };
  };
  if (!rows.length) return { state: "never", intervalMinutes };
  const newest = view(rows[0]);
  const done = rows.map(view).find((v) => v.state === "succeeded" || v.state === "failed");
  const last = newest.state === "queued" || newest.state === "running" ? done : undefined;
  return {
    ...newest,
    ...(last ? { last: { state: last.state as "succeeded" | "failed", finishedAt: last.finishedAt!, result: last.result, error: last.error } } : {}),
    intervalMinutes,
  };
}

/** When the last finished sync of this registry started: the lower bound of what it saw. */
async function previousSyncStart(registryId: string): Promise<Date | null> {
  await ensureQueues(await boss());
  const [row] = await db.$queryRaw<{ started_on: Date }[]>`
    SELECT started_on FROM (
      SELECT started_on, completed_on FROM pgboss.job WHERE name = ${SYNC_QUEUE} AND singleton_key = ${registryId} AND state = 'completed'
      UNION ALL
      SELECT started_on, completed_on FROM pgboss.archive WHERE name = ${SYNC_QUEUE} AND singleton_key = ${registryId} AND state = 'completed'
    ) j ORDER BY completed_on DESC LIMIT 1`;
  return row?.started_on ?? null;
}

const isNameUnknown = (e: unknown) => {
  const err = e as { name?: string; codes?: string[]; status?: number };
  return err?.name === "RegistryError" && (err.codes?.includes("NAME_UNKNOWN") || (err.status === 404 && !err.codes?.length));
};

/**
 * One pass over a registry. A registry that cannot be reached fails this job only (logged, the
 * next tick tries again); a repository that cannot be read is skipped and named in the result.
 */
export async function syncRegistry(registryId: string): Promise<SyncResult> {
  const started = new Date();
  const since = await previousSyncStart(registryId);
  const c = await registryClient(registryId);
  const result: SyncResult = { registryId, startedAt: started.toISOString(), finishedAt: "", repositories: 0, tags: 0, added: 0, moved: 0, removed: 0, errors: [] };

  // 1. every repository the registry lists, and every one Regatta knew (it may be gone)
  const names = new Set<string>();
  try {
    let cursor: string | undefined;
    const seenCursors = new Set<string>();
    for (let page = 0; page < MAX_CATALOG_PAGES; page++) {
      const p = await listRepositories(registryId, { cursor, pageSize: 1000 });
      for (const r of p.repositories) names.add(r.name);
      if (!p.nextCursor || seenCursors.has(p.nextCursor)) break;
      seenCursors.add(p.nextCursor);
      cursor = p.nextCursor;
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    console.error(`[regatta] sync of registry ${registryId}: cannot list repositories: ${message}`);
    throw new Error(`cannot list repositories: ${message}`);
  }
  const known = await db.tagRecord.findMany({ where: { registryId }, distinct: ["repository"], select: { repository: true } });
  for (const k of known) names.add(k.repository);

  // 2. per repository: tag list, HEAD each tag, record; tags Regatta knew that are gone
  await mapLimit([...names].sort(), REPOSITORY_CONCURRENCY, async (repository) => {
    try {
      // rows a webhook or the tag table touched after this moment are newer than the list
      const listedAt = new Date();
      let tags: string[];
      try {
        tags = (await listTags(registryId, repository)).tags.map((t) => t.name);
      } catch (e) {
        // the repository itself is gone: every tag Regatta knew there is gone with it
        if (!isNameUnknown(e)) throw e;
        tags = [];
      }
      result.repositories++;
      const heads = await mapLimit(tags, HEAD_CONCURRENCY, async (tag) => ({ tag, head: await c.headManifest(repository, tag) }));
      const seen: SeenTag[] = heads.flatMap((h) => (h.head ? [{ tag: h.tag, digest: h.head.digest }] : []));
      result.tags += seen.length;
      const recorded = await recordTags(registryId, repository, seen);
      const gone = await removeGoneTags(registryId, repository, new Set(seen.map((s) => s.tag)), listedAt);
      // a tag Regatta never saw is a push only when an earlier sync would have seen it
      const added = since ? recorded.fresh : [];
      result.added += added.length;
      result.moved += recorded.moved.length;
      result.removed += gone.length;
      await auditObserved(registryId, repository, { added, since, moved: recorded.moved, gone }, "sync", recorded.at);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      console.error(`[regatta] sync of registry ${registryId}, repository ${repository}: ${message}`);
      result.errors.push({ repository, message });
    }
  });
  result.finishedAt = new Date().toISOString();
  return result;
}

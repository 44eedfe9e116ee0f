import "server-only";
// Runs one promotion: claims it (QUEUED -> RUNNING, so it runs once whichever instance picks it
// up), holds a lock on the target tag so two promotions to it never interleave, copies with
// progress in the database, records the tag change and writes exactly one audit event.
import { createHash } from "node:crypto";
import pg from "pg";
import { appendAudit } from "@/lib/audit/log";
import { db } from "@/lib/db";
import { copyImage, retag, type Manifest, type RegistryClient } from "@/lib/registry";
import { registryClient } from "@/lib/services/clients";
import { boss, PROMOTION_QUEUE } from "./boss";

function lockKey(registryId: string, repository: string, tag: string): bigint {
  return createHash("sha256").update(`${registryId}/${repository}:${tag}`).digest().readBigInt64BE(0);
}

const g = globalThis as unknown as { regattaLockPool?: pg.Pool; regattaHandingBack?: boolean; regattaRuns?: Map<string, { abort: AbortController; done: Promise<unknown> }> };
const runs = (g.regattaRuns ??= new Map());

/** Why a copy stopped: this instance is shutting down and gives the promotion back to the queue. */
class HandBack extends Error {
  constructor() {
    super("this instance is shutting down: the promotion goes back to the queue");
    this.name = "HandBack";
  }
}

/** Promotions this process is running now. */
export function promotionsInFlight(): number {
  return runs.size;
}

/** Stops every running copy here and puts its promotion back in the queue; resolves when they are back. */
export async function handBackPromotions(): Promise<number> {
  g.regattaHandingBack = true;
  const now = [...runs.values()];
  for (const r of now) r.abort.abort(new HandBack());
  await Promise.allSettled(now.map((r) => r.done));
  return now.length;
}

export type Release = () => Promise<void>;

/**
 * Waits for the target tag's lock, so two promotions to one tag never interleave. A session-level
 * lock needs one connection for the whole promotion: a small pool of its own.
 */
export async function lockTarget(registryId: string, repository: string, tag: string): Promise<Release> {
  const key = lockKey(registryId, repository, tag).toString();
  g.regattaLockPool ??= new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 8 });
  const c = await g.regattaLockPool.connect();
  try {
    await c.query("SELECT pg_advisory_lock($1)", [key]);
  } catch (e) {
    c.release();
    throw e;
  }
  return async () => {
    await c.query("SELECT pg_advisory_unlock($1)", [key]).catch(() => {});
    c.release();
  };
}

export interface InlineRun {
  /** the caller HEADed the target a moment ago under the same rules: the tag is not looked at again */
  checked?: boolean;
  /** the source manifest the caller already read: a retag within its repository PUTs these bytes */
  manifest?: Manifest;
  clients?: { src: RegistryClient; dst: RegistryClient };
  /** the row the caller just created, already RUNNING: nobody else can claim it */
  row?: P;
  /** the target's lock, taken by the caller; released here */
  lock?: Release;
}

/** A queued job passes nothing: time has passed, so it looks at the target again. */
export async function runPromotion(id: string, opts: InlineRun = {}) {
  // counted from the first moment (before the claim), so a shutdown waits for it or hands it back
  const abort = new AbortController();
  const done = (async () => {
    let p: P;
    if (opts.row) {
      p = opts.row;
    } else {
      if (g.regattaHandingBack) {
        // a job delivered while this instance stops: untouched, back to the queue for another
        await (await boss()).send(PROMOTION_QUEUE, { id }, { retryLimit: 0 });
        return db.promotion.findUniqueOrThrow({ where: { id } });
      }
      const claimed = await db.promotion.updateMany({ where: { id, state: "QUEUED" }, data: { state: "RUNNING", startedAt: new Date() } });
      p = await db.promotion.findUniqueOrThrow({ where: { id } });
      if (claimed.count === 0) return p;
    }
    const release = opts.lock ?? (await lockTarget(p.targetRegistryId, p.targetRepository, p.targetTag));
    try {
      return await run(p, opts, abort.signal);
    } finally {
      await release();
    }
  })();
  const key = `${id}:${Math.random()}`;
  runs.set(key, { abort, done });
  try {
    return await done;
  } finally {
    runs.delete(key);
  }
}

async function run(p: P, opts: InlineRun, signal: AbortSignal) {
  const id = p.id;
  {
    let last = 0;
    let pending: Promise<unknown> = Promise.resolve();
    try {
      const { src, dst } = opts.clients ?? { src: await registryClient(p.sourceRegistryId), dst: await registryClient(p.targetRegistryId) };
      // someone may have moved the tag since the request was checked
      const now = opts.checked ? null : await dst.headManifest(p.targetRepository, p.targetTag);
      if (now && now.digest !== p.previousDigest && now.digest !== p.digest && !p.overwrite) {
        throw new Error(`the target tag moved to ${now.digest} after this promotion was requested; request it again`);
      }
      const sameRepository = p.sourceRegistryId === p.targetRegistryId && p.sourceRepository === p.targetRepository;
      // within one repository every blob is there already: GET the manifest, PUT the same bytes
      const putSame = async () => {
        if (!opts.manifest) return retag(dst, p.targetRepository, p.digest!, p.targetTag);
        await dst.putManifest(p.targetRepository, p.targetTag, opts.manifest.bytes, opts.manifest.mediaType);
        return { digest: opts.manifest.digest, mediaType: opts.manifest.mediaType };
      };
      const result = sameRepository && p.digest
        ? { ...(await putSame()), bytesCopied: 0, plan: { blobs: [], bytesToCopy: 0, noop: p.previousDigest === p.digest } }
        : await copyImage(
        { client: src, repository: p.sourceRepository, reference: p.digest ?? p.sourceReference },
        { client: dst, repository: p.targetRepository, tag: p.targetTag },
        {
          signal,
          onProgress(pr) {
            if (Date.now() - last < 200 && pr.blobsDone < pr.blobsTotal) return;
            last = Date.now();
            pending = pending.then(() =>
              db.promotion.update({ where: { id }, data: { bytesDone: pr.bytesDone, bytesTotal: pr.bytesTotal, blobsDone: pr.blobsDone, blobsTotal: pr.blobsTotal } }),
            );
          },
        },
      );
      await pending;
      const [done] = await Promise.all([
        db.promotion.update({
          where: { id },
          data: { state: "SUCCEEDED", digest: result.digest, finishedAt: new Date(), bytesDone: result.bytesCopied, plan: { blobs: result.plan.blobs.length, bytesToCopy: result.plan.bytesToCopy, noop: result.plan.noop } },
        }),
        recordTagChange(p.targetRegistryId, p.targetRepository, p.targetTag, result.digest, p.requestedBy),
        audit(p, "success", result.digest, { bytesCopied: result.bytesCopied, blobs: result.plan.blobs.length, noop: result.plan.noop }),
      ]);
      return done;
    } catch (err) {
      await pending.catch(() => {});
      if (signal.reason instanceof HandBack) {
        // nothing of the target tag was written (it is written last): another instance starts it again
        const back = await db.promotion.update({ where: { id }, data: { state: "QUEUED", startedAt: null, bytesDone: 0, blobsDone: 0 } });
        await (await boss()).send(PROMOTION_QUEUE, { id }, { retryLimit: 0 });
        return back;
      }
      const message = err instanceof Error ? err.message : String(err);
      const failed = await db.promotion.update({ where: { id }, data: { state: "FAILED", error: message, finishedAt: new Date() } });
      await audit(p, "failure", p.digest, { error: message });
      return failed;
    }
  }
}

type P = Awaited<ReturnType<typeof db.promotion.findUniqueOrThrow>>;

function audit(p: P, outcome: "success" | "failure", digest: string | null, details: Record<string, unknown>) {
  return appendAudit({
    actorKind: "USER", actor: p.requestedBy, action: p.kind, outcome, registryId: p.targetRegistryId,
    repository: p.targetRepository, tag: p.targetTag, digest, previousDigest: p.previousDigest,
    details: { promotionId: p.id, source: `${p.sourceRegistryId}/${p.sourceRepository}:${p.sourceReference}`, ...details },
  });
}

/** The tag's last known digest and its history (source REGATTA). */
export async function recordTagChange(registryId: string, repository: string, tag: string, digest: string, actor: string) {
  const key = { registryId_repository_tag: { registryId, repository, tag } };
  const before = await db.tagRecord.findUnique({ where: key });
  if (before?.digest === digest) return;
  const now = new Date();
  await db.tagRecord.upsert({
    where: key,
    create: { registryId, repository, tag, digest, changedAt: now, checkedAt: now, pushedAt: now, pushedBy: actor },
    update: { digest, changedAt: now, checkedAt: now, pushedAt: now, pushedBy: actor },
  });
  await db.tagChange.create({ data: { registryId, repository, tag, digest, previousDigest: before?.digest ?? null, at: now, source: "REGATTA", actor } });
}

/** After a stop, this process may run promotions again (a worker started anew, as in tests). */
export function resumePromotions() {
  g.regattaHandingBack = false;
}

/** Shutdown: the target-lock pool's connections close (their session locks go with them). */
export async function closeLockPool() {
  const pool = g.regattaLockPool;
  g.regattaLockPool = undefined;
  await pool?.end();
}

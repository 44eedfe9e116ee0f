import "server-only";
// Runs one promotion: claims it (QUEUED -> RUNNING, so it runs once whichever instance picks it
// up), holds a lock on the target tag so two promotions to it never interleave, copies with
// progress in the database, records the tag change and writes exactly one audit event.
import { createHash } from "node:crypto";
import pg from "pg";
import { appendAudit, type AuditInput } from "@/lib/audit/log";
import { db } from "@/lib/db";
import { locked } from "@/lib/errors";
import { boss, PROMOTION_QUEUE, workersStarted } from "@/lib/jobs/boss";
import { log } from "@/lib/observability/log";
import { metrics } from "@/lib/observability/metrics";
import { processWide } from "@/lib/process-wide";
import { copyImage, retag, type Manifest, type RegistryClient } from "@/lib/registry";
import { mountCandidates, recordManifestBlobs } from "./blob-index";
import { registryClient } from "./clients";
import { enforceSignatureGate, SignatureGateRefused } from "./signature-gate";
import { recordPromotedTag } from "./tag-history";

function lockKey(registryId: string, repository: string, tag: string): bigint {
  return createHash("sha256").update(`${registryId}/${repository}:${tag}`).digest().readBigInt64BE(0);
}

// this process's runs, the places requests hold for theirs, and the target-lock pool
const g = processWide("promotionRuns", () => ({
  runs: new Map<string, { id: string; abort: AbortController; done: Promise<unknown>; settled: Promise<unknown> }>(),
  reserved: { n: 0 },
  handingBack: false,
  lockPool: undefined as pg.Pool | undefined,
}));
const { runs, reserved } = g;

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

/** How many promotions one instance starts itself, at the request, before it leaves them to the queue. */
const LOCAL_RUNS = 2;

/**
 * Whether a promotion requested here may start here at once (the requesting instance's worker has
 * room): no queue round trip. Otherwise it goes to the queue for whichever instance is free.
 */
export function localRoom(): boolean {
  return workersStarted() && !g.handingBack && runs.size + reserved.n < LOCAL_RUNS;
}

// places held by requests still checking (they start their run, or give the place back, at the end)

/** A place for a run here, held while the request checks (so a burst of requests starts 2, not all); null: no room. */
export function reserveLocalRun(): (() => void) | null {
  if (!localRoom()) return null;
  reserved.n++;
  let given = false;
  return () => {
    if (!given) (given = true), reserved.n--;
  };
}

/**
 * When this process runs promotion `id`: resolves once its final state is written (the tag history,
 * index and audit event are written alongside and may land a moment later). Undefined otherwise.
 */
export function localRunDone(id: string): Promise<unknown> | undefined {
  for (const r of runs.values()) if (r.id === id) return r.settled.catch(() => {});
  return undefined;
}

/** Stops every running copy here and puts its promotion back in the queue; resolves when they are back. */
export async function handBackPromotions(): Promise<number> {
  g.handingBack = true;
  const now = [...runs.values()];
  for (const r of now) r.abort.abort(new HandBack());
  await Promise.allSettled(now.map((r) => r.done));
  return now.length;
}

export type Release = () => Promise<void>;

const seconds = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v * 1000 : fallback;
};

/** How long a queued promotion waits for another one to the same tag (REGATTA_LOCK_WAIT_SECONDS, default 10 min). */
export const lockWaitMs = () => seconds("REGATTA_LOCK_WAIT_SECONDS", 600_000);

/**
 * Waits for the target tag's lock, so two promotions to one tag never interleave. A session-level
 * lock needs one connection for the whole promotion: a small pool of its own. Both waits (for a
 * connection of the pool, for the lock) end after `timeoutMs` with a 409 that says why.
 */
export async function lockTarget(registryId: string, repository: string, tag: string, opts: { timeoutMs?: number } = {}): Promise<Release> {
  const timeoutMs = Math.max(1, Math.round(opts.timeoutMs ?? lockWaitMs()));
  const key = lockKey(registryId, repository, tag).toString();
  const target = `${repository}:${tag}`;
  const started = Date.now();
  const c = await connectWithin(lockPool(), timeoutMs, target);
  try {
    // lock_timeout bounds the wait of pg_advisory_lock (SQLSTATE 55P03 when it ends); one round
    // trip (both values are numbers made here, never input)
    const left = Math.max(1, timeoutMs - (Date.now() - started));
    await c.query(`SET lock_timeout = '${left}ms'; SELECT pg_advisory_lock(${key}); SET lock_timeout = 0`);
  } catch (e) {
    c.release(true);
    if ((e as { code?: string }).code === "55P03") throw lockTimeout(`another promotion to ${target} is still running`, timeoutMs);
    throw e;
  }
  return unlocker(c, key);
}

function lockPool(): pg.Pool {
  return (g.lockPool ??= new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 8 }));
}

function unlocker(c: pg.PoolClient, key: string): Release {
  return async () => {
    await c.query("SELECT pg_advisory_unlock($1)", [key]).catch(() => {});
    c.release();
  };
}

/**
 * The target tag's lock if it is free now (and a lock connection is), else null: for a promotion
 * that starts at the request only when nothing else is writing that tag.
 */
export async function tryLockTarget(registryId: string, repository: string, tag: string): Promise<Release | null> {
  const key = lockKey(registryId, repository, tag).toString();
  // a new connection may take a while on a busy host; the request reads its rules meanwhile
  const c = await connectWithin(lockPool(), 2_000, `${repository}:${tag}`).catch(() => null);
  if (!c) return null;
  try {
    const { rows } = await c.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [key]);
    if (rows[0]?.ok) return unlocker(c, key);
    c.release();
    return null;
  } catch {
    c.release(true);
    return null;
  }
}

// a connection of the lock pool, or a 409 after `ms`; one that arrives later goes straight back
function connectWithin(pool: pg.Pool, ms: number, target: string): Promise<pg.PoolClient> {
  return new Promise((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(lockTimeout(`${target}: every lock connection of this instance is held by a running promotion`, ms));
    }, ms);
    pool.connect().then(
      (c) => (late ? c.release() : (clearTimeout(timer), resolve(c))),
      (e) => (late ? undefined : (clearTimeout(timer), reject(e))),
    );
  });
}

function lockTimeout(why: string, ms: number) {
  return locked(`waited ${Math.round(ms / 1000)} s for the lock on the target tag: ${why}; try again when it has finished`);
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
  /** with `checked`: what that HEAD of the target tag answered (null: no such tag), for the copy's plan */
  targetHead?: { digest: string } | null;
  /** started by the request, not awaited by it (a promotion to another repository) */
  background?: boolean;
}

/** A queued job passes nothing: time has passed, so it looks at the target again. */
export async function runPromotion(id: string, opts: InlineRun = {}) {
  // counted from the first moment (before the claim), so a shutdown waits for it or hands it back
  const abort = new AbortController();
  // where the time of this run goes (ms since it was handed to this process): a log line at the end
  const t0 = Date.now();
  const ms: Timings = {};
  let stateWritten = () => {};
  const written = new Promise<void>((r) => (stateWritten = r));
  const mark = (step: keyof Timings) => {
    ms[step] = Date.now() - t0;
    if (step === "stateWritten") stateWritten();
  };
  const done = (async () => {
    let p: P;
    if (opts.row) {
      p = opts.row;
      // started by a request while this instance began to stop: back to the queue, for another
      if (opts.background && g.handingBack) abort.abort(new HandBack());
    } else {
      if (g.handingBack) {
        // a job delivered while this instance stops: untouched, back to the queue for another
        await (await boss()).send(PROMOTION_QUEUE, { id }, { retryLimit: 0 });
        return db.promotion.findUniqueOrThrow({ where: { id } });
      }
      // the exactly-once claim, one round trip: only a QUEUED row turns RUNNING
      const claimed = await db.promotion.update({ where: { id, state: "QUEUED" }, data: { state: "RUNNING", startedAt: new Date() } }).catch((e: { code?: string }) => {
        if (e.code === "P2025") return null;
        throw e;
      });
      if (!claimed) return db.promotion.findUniqueOrThrow({ where: { id } });
      p = claimed;
      mark("claimed");
    }
    // the heartbeat says "still running" to the recovery of every instance (recoverStalePromotions)
    const beat = setInterval(() => void db.promotion.updateMany({ where: { id: p.id, state: "RUNNING" }, data: { heartbeatAt: new Date() } }).catch(() => {}), heartbeatMs());
    beat.unref();
    // every run this process makes, however it started (request, wake-up or queue), in the one histogram
    const timer = metrics.jobDuration.startTimer({ queue: PROMOTION_QUEUE });
    let outcome = "failed";
    try {
      let release: Release;
      try {
        release = opts.lock ?? (await lockTarget(p.targetRegistryId, p.targetRepository, p.targetTag));
        mark("locked");
      } catch (err) {
        return await fail(p, err instanceof Error ? err.message : String(err));
      }
      try {
        const out = await run(p, opts, abort.signal, mark);
        if (out.state !== "FAILED") outcome = "completed";
        log.info({ promotionId: p.id, state: out.state, startedBy: opts.row ? "request" : "queue", ms }, "promotion run timings");
        return out;
      } finally {
        await release();
      }
    } finally {
      clearInterval(beat);
      timer({ outcome });
    }
  })();
  const key = `${id}:${Math.random()}`;
  runs.set(key, { id, abort, done, settled: Promise.race([written, done]) });
  try {
    return await done;
  } finally {
    runs.delete(key);
  }
}

async function fail(p: P, message: string, outcome: "failure" | "denied" = "failure") {
  const failed = await db.promotion.update({ where: { id: p.id }, data: { state: "FAILED", error: message, finishedAt: new Date() } });
  await audit(p, outcome, p.digest, { error: message });
  return failed;
}

/** How often a running promotion says it is alive (REGATTA_PROMOTION_HEARTBEAT_SECONDS, default 15 s). */
export const heartbeatMs = () => seconds("REGATTA_PROMOTION_HEARTBEAT_SECONDS", 15_000);
/** A RUNNING promotion silent for this long was interrupted (REGATTA_PROMOTION_STALE_SECONDS, default 5 min). */
export const staleMs = () => Math.max(seconds("REGATTA_PROMOTION_STALE_SECONDS", 300_000), 2 * heartbeatMs());

/**
 * Promotions left RUNNING by an instance that stopped (crash, kill, deploy) are marked FAILED
 * with the reason, so they can be retried; one audit event each. Run at start-up and
 * periodically by every instance: one UPDATE decides, so each is recovered once.
 */
export async function recoverStalePromotions(now = new Date()): Promise<string[]> {
  const cutoff = new Date(now.getTime() - staleMs());
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE "Promotion" SET "state" = 'FAILED', "finishedAt" = ${now},
      "error" = 'interrupted: the instance running it stopped (no heartbeat since ' || to_char(COALESCE("heartbeatAt", "startedAt", "createdAt") AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || '); nothing was tagged after that, retry it'
    WHERE "state" = 'RUNNING' AND COALESCE("heartbeatAt", "startedAt", "createdAt") < ${cutoff}
    RETURNING "id"`;
  for (const { id } of rows) {
    const p = await db.promotion.findUniqueOrThrow({ where: { id } });
    await appendAudit(await rowAuditEvent(p, "failure", p.digest, { requestedBy: p.requestedBy, error: p.error, recovered: true }, true));
  }
  return rows.map((r) => r.id);
}

/** Milliseconds from the hand-over to the end of each step of one run (the "promotion run timings" log line). */
interface Timings { claimed?: number; locked?: number; targetHead?: number; gate?: number; copied?: number; stateWritten?: number; recorded?: number }

async function run(p: P, opts: InlineRun, signal: AbortSignal, mark: (step: keyof Timings) => void) {
  const id = p.id;
  let last = Date.now();
  let latest: { bytesTotal: number; blobsDone: number; blobsTotal: number } | undefined;
  let pending: Promise<unknown> = Promise.resolve();
  try {
    signal.throwIfAborted();
    const [src, dst] = opts.clients ? [opts.clients.src, opts.clients.dst] : await Promise.all([registryClient(p.sourceRegistryId), registryClient(p.targetRegistryId)]);
    // someone may have moved the tag since the request was checked
    const now = opts.checked ? null : await dst.headManifest(p.targetRepository, p.targetTag);
    mark("targetHead");
    if (now && now.digest !== p.previousDigest && now.digest !== p.digest && !p.overwrite) {
      throw new Error(`the target tag moved to ${now.digest} after this promotion was requested; request it again`);
    }
    // a run the request started under the lock was gated by that request a moment ago; a queued one is gated now
    if (!opts.checked) await enforceSignatureGate({ registryId: p.targetRegistryId, repository: p.targetRepository, tag: p.targetTag }, src, p.sourceRepository, p.digest ?? p.sourceReference, signal);
    mark("gate");
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
          // blobs another repository of the target registry holds (Regatta's index) are mounted
          mountCandidates: (digests) => mountCandidates(p.targetRegistryId, p.targetRepository, digests),
          // the HEAD just above is the target's state: the copy does not ask a third time
          ...(opts.checked ? (opts.targetHead !== undefined ? { targetHead: opts.targetHead } : {}) : { targetHead: now }),
          signal,
          // at most one progress write every 200 ms, none for a copy done sooner: the last one
          // goes with the state (below), so the end waits for no write of its own
          onProgress(pr) {
            latest = pr;
            if (Date.now() - last < 200) return;
            last = Date.now();
            pending = pending.then(() =>
              db.promotion.update({ where: { id }, data: { bytesDone: pr.bytesDone, bytesTotal: pr.bytesTotal, blobsDone: pr.blobsDone, blobsTotal: pr.blobsTotal } }),
            );
          },
        },
      );
    await pending;
    mark("copied");
    const [[done]] = await Promise.all([
      // what a waiting caller needs (the state; the tag's history and the index the next promotion
      // mounts from), then the answer may go; the audit event is written alongside
      Promise.all([
        db.promotion.update({
          where: { id },
          data: { state: "SUCCEEDED", digest: result.digest, finishedAt: new Date(), bytesDone: result.bytesCopied, ...(latest ? { bytesTotal: latest.bytesTotal, blobsDone: latest.blobsDone, blobsTotal: latest.blobsTotal } : {}), plan: { blobs: result.plan.blobs.length, bytesToCopy: result.plan.bytesToCopy, noop: result.plan.noop } },
        }),
        recordPromotedTag(p.targetRegistryId, p.targetRepository, p.targetTag, result.digest, p.requestedBy),
        // what the target now holds, so the next promotion to this registry can mount it
        recordManifestBlobs(result.digest, result.plan.blobs),
      ]).then((r) => (mark("stateWritten"), r)),
      audit(p, "success", result.digest, { bytesCopied: result.bytesCopied, blobs: result.plan.blobs.length, noop: result.plan.noop }),
    ]);
    mark("recorded");
    return done;
  } catch (err) {
    await pending.catch(() => {});
    if (signal.reason instanceof HandBack) {
      // nothing of the target tag was written (it is written last): another instance starts it again
      const back = await db.promotion.update({ where: { id }, data: { state: "QUEUED", startedAt: null, bytesDone: 0, blobsDone: 0 } });
      await (await boss()).send(PROMOTION_QUEUE, { id }, { retryLimit: 0 });
      return back;
    }
    return fail(p, err instanceof Error ? err.message : String(err), err instanceof SignatureGateRefused ? "denied" : "failure");
  }
}

type P = Awaited<ReturnType<typeof db.promotion.findUniqueOrThrow>>;

/**
 * The one shape of a promotion's audit event, for the request (lib/services/promotions.ts) and the
 * run alike: the target in the event's own fields, `source` and `target` as people read them
 * (registry name), the registries' ids beside them, and the requester's address.
 */
export function promotionAuditEvent(
  e: {
    actor: string; actorKind?: AuditInput["actorKind"]; sourceAddress: string | null; kind: string;
    source: { registryId: string; registryName: string; repository: string; reference: string };
    target: { registryId: string; registryName: string; repository: string; tag: string };
    promotionId?: string;
  },
  outcome: AuditInput["outcome"], digest: string | null | undefined, previousDigest: string | null | undefined, extra: Record<string, unknown>,
): AuditInput {
  const { source, target } = e;
  return {
    actorKind: e.actorKind ?? "USER", actor: e.actor, action: e.kind, outcome, registryId: target.registryId,
    repository: target.repository, tag: target.tag, digest, previousDigest, sourceAddress: e.sourceAddress,
    details: {
      ...(e.promotionId ? { promotionId: e.promotionId } : {}),
      source: `${source.registryName}/${source.repository}:${source.reference}`, sourceRegistryId: source.registryId,
      target: `${target.registryName}/${target.repository}:${target.tag}`, targetRegistryId: target.registryId,
      ...extra,
    },
  };
}

/** A promotion row's audit event (the run's, the recovery's): registry names as they are now. */
async function rowAuditEvent(p: P, outcome: AuditInput["outcome"], digest: string | null, extra: Record<string, unknown>, system = false): Promise<AuditInput> {
  const names = new Map((await db.registry.findMany({ where: { id: { in: [p.sourceRegistryId, p.targetRegistryId] } }, select: { id: true, name: true } })).map((r) => [r.id, r.name]));
  return promotionAuditEvent({
    actor: system ? "regatta" : p.requestedBy, actorKind: system ? "SYSTEM" : "USER", sourceAddress: system ? null : p.requestedFrom, kind: p.kind, promotionId: p.id,
    source: { registryId: p.sourceRegistryId, registryName: names.get(p.sourceRegistryId) ?? p.sourceRegistryId, repository: p.sourceRepository, reference: p.sourceReference },
    target: { registryId: p.targetRegistryId, registryName: names.get(p.targetRegistryId) ?? p.targetRegistryId, repository: p.targetRepository, tag: p.targetTag },
  }, outcome, digest, p.previousDigest, extra);
}

async function audit(p: P, outcome: "success" | "failure" | "denied", digest: string | null, details: Record<string, unknown>) {
  return appendAudit(await rowAuditEvent(p, outcome, digest, details));
}

/** After a stop, this process may run promotions again (a worker started anew, as in tests). */
export function resumePromotions() {
  g.handingBack = false;
}

/** Shutdown: the target-lock pool's connections close (their session locks go with them). */
export async function closeLockPool() {
  const pool = g.lockPool;
  g.lockPool = undefined;
  await pool?.end();
}

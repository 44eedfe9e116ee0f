import "server-only";
// The one audit writer. Events are appended under a transaction-scoped advisory lock so the
// chain has one order even with several app instances on one database.
//
// Group commit: appenders in this process queue their events; one flusher at a time takes
// everything queued (up to BATCH_EVENTS), and writes it in one transaction: lock, last hash,
// one lookup of the known event keys, the callers' own rows (extensions), one multi-row INSERT.
// Every caller is answered after the commit, so a resolved promise still means "durably stored".
// A quiet process flushes a lone event at once; under a burst the batches grow by themselves.
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { writeCheckpoint } from "./checkpoint";
import { GENESIS_HASH, keyedEventHash, type ChainKey, type ChainedFields } from "./hash";
import { activeChainKey } from "./keys";
import { processWide } from "@/lib/process-wide";

const CHAIN_LOCK = 72_656_775;
/** Most events written by one transaction (a bigger queue is written by the next one). */
const BATCH_EVENTS = 1_000;

export type Outcome = "success" | "failure" | "denied";

export interface AuditInput {
  actorKind: "USER" | "REGISTRY" | "SYSTEM";
  actor: string;
  action: string;
  outcome: Outcome;
  registryId?: string | null;
  repository?: string | null;
  tag?: string | null;
  digest?: string | null;
  previousDigest?: string | null;
  sourceAddress?: string | null;
  details?: Record<string, unknown> | null;
  /** The source's own id for this event (e.g. `${registryId}:${notification id}`): a second event with the same key is dropped. */
  eventKey?: string | null;
}

export type AuditTx = Prisma.TransactionClient;

/** An event and what its writer needs to know about it to write its other rows (see ChainExtension). */
export interface ChainEntry<M = undefined> {
  input: AuditInput;
  meta: M;
}

/**
 * Rows that must be written atomically with events (webhook ingestion updates tag history). Runs
 * once per batch, inside its transaction and holding the chain lock, with the batch's new
 * entries that named this extension, in chain order (duplicates are left out). It may complete
 * their inputs (e.g. previousDigest): they are hashed and written after it returns. If it
 * throws, nothing of the batch is written.
 */
export type ChainExtension<M> = (tx: AuditTx, entries: ChainEntry<M>[]) => Promise<void>;

interface Job {
  entries: ChainEntry<unknown>[];
  extension?: ChainExtension<unknown>;
  resolve(inserted: boolean[]): void;
  reject(err: unknown): void;
}

// on globalThis: every route module of the process shares one queue and one flusher
const state = processWide("auditQueue", (): { jobs: Job[]; flushing: boolean; head?: Head } => ({ jobs: [], flushing: false }));

/** The chain's head as this process last wrote it: the next checkpoint's count follows on from it. */
interface Head {
  id: bigint;
  hash: string;
  count: number;
  first: string;
}

/**
 * Appends events in the given order (they stay adjacent in the chain) and resolves, once they are
 * committed, with one boolean per entry: false when its eventKey was seen before (nothing written).
 */
export function appendAuditEvents<M>(entries: ChainEntry<M>[], extension?: ChainExtension<M>): Promise<boolean[]> {
  if (entries.length === 0) return Promise.resolve([]);
  return new Promise<boolean[]>((resolve, reject) => {
    state.jobs.push({ entries, extension: extension as ChainExtension<unknown> | undefined, resolve, reject });
    if (!state.flushing) {
      state.flushing = true;
      // what arrives in the same turn of the event loop joins the first batch
      setImmediate(() => void drain());
    }
  }).then((inserted) => {
    afterCommit(entries, inserted);
    return inserted;
  });
}

// Listeners of committed events (notifications out: lib/services/notifications.ts registers one when
// it loads). They run off the caller's path; a listener's failure is its own, never the caller's.
// Kept on globalThis: Next's route bundles and instrumentation share one process-wide list.
type CommitListener = (events: AuditInput[]) => Promise<void> | void;
const listeners = processWide("auditListeners", () => new Map<string, CommitListener>());

/** Calls `listener` with the events of every commit from now on; one listener per name (a reload replaces it). */
export function onAuditCommitted(name: string, listener: CommitListener) {
  listeners.set(name, listener);
}

function afterCommit(entries: ChainEntry<unknown>[], inserted: boolean[]) {
  const fresh = entries.filter((_, i) => inserted[i]).map((e) => e.input);
  if (!fresh.length) return;
  for (const listener of listeners.values()) void Promise.resolve().then(() => listener(fresh)).catch(() => {});
}

/** Appends one event. Resolves false (and writes nothing) when its eventKey was seen before. */
export async function appendAudit(input: AuditInput): Promise<boolean> {
  const [inserted] = await appendAuditEvents([{ input, meta: undefined }]);
  return inserted!;
}

async function drain() {
  try {
    while (state.jobs.length > 0) {
      let n = 0;
      let take = 0;
      while (take < state.jobs.length && (take === 0 || n + state.jobs[take]!.entries.length <= BATCH_EVENTS)) n += state.jobs[take++]!.entries.length;
      const batch = state.jobs.splice(0, take);
      try {
        const results = await writeBatch(batch);
        batch.forEach((job, i) => job.resolve(results[i]!));
      } catch (err) {
        if (batch.length === 1) {
          batch[0]!.reject(err);
          continue;
        }
        // one bad job must not fail the others: write them one by one
        for (const job of batch) {
          try {
            job.resolve((await writeBatch([job]))[0]!);
          } catch (e) {
            job.reject(e);
          }
        }
      }
    }
  } finally {
    state.flushing = false;
  }
}

// Raw SQL with one array per column: Prisma's createMany spent ~1 s on 1,000 rows here, this ~60 ms.
async function writeBatch(jobs: Job[]): Promise<boolean[][]> {
  const key = activeChainKey();
  let head: Head | undefined;
  const results = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`;
    const keys = [...new Set(jobs.flatMap((j) => j.entries.map((e) => e.input.eventKey)).filter((k): k is string => !!k))];
    // after the lock, in a statement of its own: its snapshot then sees every earlier batch
    const [{ last, known }] = await tx.$queryRaw<{ last: string | null; known: string[] }[]>`
      SELECT (SELECT "hash" FROM "AuditEvent" ORDER BY "id" DESC LIMIT 1) AS last,
             ARRAY(SELECT "eventKey" FROM "AuditEvent" WHERE "eventKey" = ANY(${keys}::text[])) AS known`;
    const seen = new Set(known);
    const fresh: AuditInput[] = [];
    const byExtension = new Map<ChainExtension<unknown>, ChainEntry<unknown>[]>();
    const results = jobs.map((job) => job.entries.map((entry) => {
      const key = entry.input.eventKey;
      if (key && seen.has(key)) return false;
      if (key) seen.add(key);
      fresh.push(entry.input);
      if (job.extension) {
        const list = byExtension.get(job.extension) ?? [];
        byExtension.set(job.extension, list);
        list.push(entry);
      }
      return true;
    }));
    for (const [extension, entries] of byExtension) await extension(tx, entries);
    if (fresh.length) {
      const hash = await insertLinked(tx, last ?? GENESIS_HASH, fresh, key);
      head = await nextHead(tx, last, hash, fresh.length);
    }
    return results;
  }, { maxWait: 10_000, timeout: 30_000 });
  if (head) {
    state.head = head;
    try {
      writeCheckpoint(head);
    } catch (err) {
      // the events are committed: a checkpoint that could not be written is said, not thrown
      console.error(`[regatta] audit checkpoint not written: ${(err as Error).message}`);
    }
  }
  return results;
}

// After this process's own last batch the count follows on; otherwise (first batch, another
// instance wrote in between) it is counted once.
async function nextHead(tx: AuditTx, prevHead: string | null, hash: string, added: number): Promise<Head> {
  const [{ id }] = await tx.$queryRaw<{ id: bigint }[]>`SELECT "id" FROM "AuditEvent" WHERE "hash" = ${hash}`;
  if (state.head && prevHead === state.head.hash) return { id, hash, count: state.head.count + added, first: state.head.first };
  const [{ count, first }] = await tx.$queryRaw<{ count: bigint; first: string }[]>`
    SELECT (SELECT count(*) FROM "AuditEvent") AS count, (SELECT "hash" FROM "AuditEvent" ORDER BY "id" LIMIT 1) AS first`;
  return { id, hash, count: Number(count), first };
}

/** Links the events after `prevHash` and writes them with one INSERT, in chain order: ids follow it (verify walks by id). Returns the new head hash. */
async function insertLinked(tx: AuditTx, prevHash: string, inputs: AuditInput[], key: ChainKey): Promise<string> {
  const cols = { at: [] as string[], kind: [] as string[], actor: [] as string[], action: [] as string[], registryId: [] as (string | null)[], repository: [] as (string | null)[],
    tag: [] as (string | null)[], digest: [] as (string | null)[], previousDigest: [] as (string | null)[], sourceAddress: [] as (string | null)[], outcome: [] as string[],
    details: [] as (string | null)[], prevHash: [] as string[], hash: [] as string[], eventKey: [] as (string | null)[] };
  for (const input of inputs) {
    // the hash covers what jsonb will hold (a Date in details is stored as its ISO string); jsonb
    // refuses a lone surrogate and a NUL, which callers' input may carry: stored as U+FFFD
    const json = input.details == null ? null : JSON.stringify(input.details, (_k, v) => (typeof v === "string" ? v.toWellFormed().replace(/\u0000/g, "\ufffd") : v));
    const fields: ChainedFields = {
      at: new Date(),
      actorKind: input.actorKind,
      actor: input.actor,
      action: input.action,
      registryId: input.registryId ?? null,
      repository: input.repository ?? null,
      tag: input.tag ?? null,
      digest: input.digest ?? null,
      previousDigest: input.previousDigest ?? null,
      sourceAddress: input.sourceAddress ?? null,
      outcome: input.outcome,
      details: json === null ? null : JSON.parse(json),
    };
    const hash = keyedEventHash(prevHash, fields, key);
    cols.at.push(fields.at.toISOString());
    cols.kind.push(fields.actorKind);
    cols.actor.push(fields.actor);
    cols.action.push(fields.action);
    cols.registryId.push(fields.registryId);
    cols.repository.push(fields.repository);
    cols.tag.push(fields.tag);
    cols.digest.push(fields.digest);
    cols.previousDigest.push(fields.previousDigest);
    cols.sourceAddress.push(fields.sourceAddress);
    cols.outcome.push(fields.outcome);
    cols.details.push(json);
    cols.prevHash.push(prevHash);
    cols.hash.push(hash);
    cols.eventKey.push(input.eventKey ?? null);
    prevHash = hash;
  }
  // "at" is timestamp(3) holding UTC, as Prisma writes it; WITH ORDINALITY keeps the array order
  await tx.$executeRaw`
    INSERT INTO "AuditEvent" ("at", "actorKind", "actor", "action", "registryId", "repository", "tag", "digest", "previousDigest",
      "sourceAddress", "outcome", "details", "prevHash", "hash", "eventKey")
    SELECT at, kind::"ActorKind", actor, action, reg, repo, tag, digest, prev_digest, addr, outcome, details, prev, hash, key
    FROM unnest(${cols.at}::timestamp(3)[], ${cols.kind}::text[], ${cols.actor}::text[], ${cols.action}::text[], ${cols.registryId}::uuid[],
      ${cols.repository}::text[], ${cols.tag}::text[], ${cols.digest}::text[], ${cols.previousDigest}::text[], ${cols.sourceAddress}::text[],
      ${cols.outcome}::text[], ${cols.details}::jsonb[], ${cols.prevHash}::text[], ${cols.hash}::text[], ${cols.eventKey}::text[])
      WITH ORDINALITY AS t(at, kind, actor, action, reg, repo, tag, digest, prev_digest, addr, outcome, details, prev, hash, key, n)
    ORDER BY n`;
  return prevHash;
}

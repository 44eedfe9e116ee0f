import "server-only";
// The one audit writer. Events are appended under a transaction-scoped advisory lock so the
// chain has one order even with several app instances on one database.
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { GENESIS_HASH, eventHash, type ChainedFields } from "./hash";

const CHAIN_LOCK = 72_656_775;

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

/** Appends to the chain inside `tx`; the caller must hold the chain lock (see withAuditChain). */
export type ChainAppender = (input: AuditInput) => Promise<boolean>;

/**
 * Runs `fn` in one transaction holding the chain lock, with an appender that links events in
 * order. For writers that must change other rows atomically with their events (webhook ingestion
 * updates tag history). The appender answers false, and writes nothing, for a known eventKey.
 */
export async function withAuditChain<T>(fn: (tx: AuditTx, append: ChainAppender) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`;
    const last = await tx.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { hash: true } });
    let prevHash = last?.hash ?? GENESIS_HASH;
    const append: ChainAppender = async (input) => {
      if (input.eventKey && (await tx.auditEvent.findUnique({ where: { eventKey: input.eventKey }, select: { id: true } }))) return false;
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
        details: input.details ?? null,
      };
      const hash = eventHash(prevHash, fields);
      await tx.auditEvent.create({
        data: {
          ...fields, actorKind: input.actorKind, details: (fields.details ?? undefined) as Prisma.InputJsonValue | undefined,
          prevHash, hash, eventKey: input.eventKey ?? null,
        },
      });
      prevHash = hash;
      return true;
    };
    return fn(tx, append);
  }, { maxWait: 10_000, timeout: 30_000 });
}

/** Appends one event. Resolves false (and writes nothing) when its eventKey was seen before. */
export async function appendAudit(input: AuditInput): Promise<boolean> {
  return withAuditChain((_tx, append) => append(input));
}

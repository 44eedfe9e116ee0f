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
}

export async function appendAudit(input: AuditInput): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`;
    const last = await tx.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { hash: true } });
    const prevHash = last?.hash ?? GENESIS_HASH;
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
    await tx.auditEvent.create({
      data: { ...fields, actorKind: input.actorKind, details: (fields.details ?? undefined) as Prisma.InputJsonValue | undefined, prevHash, hash: eventHash(prevHash, fields) },
    });
  });
}

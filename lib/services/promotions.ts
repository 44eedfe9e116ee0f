import "server-only";
// Retag, promote and roll back: checked (role, protection, overwrite) before anything changes,
// planned with a dry run, then run as a job (or inline for a retag within one repository).
import { ApiError, conflict, forbidden, notFound } from "@/lib/api/errors";
import { appendAudit } from "@/lib/audit/log";
import { accessOf, requireSee, roleIn, type Visible } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import { boss, PROMOTION_QUEUE } from "@/lib/jobs/boss";
import { lockTarget, runPromotion, type Release } from "@/lib/jobs/promotion-worker";
import { wakeWorkers } from "@/lib/jobs/wake";
import { copyImage, RegistryError, validateManifestReference, validateRepository, validateTag, type Manifest } from "@/lib/registry";
import { promotionRequestSchema, type PlanView, type PromotionRequest, type PromotionView } from "@/lib/schemas/promotion";
import { mountCandidates } from "./blob-index";
import { registryWithClient } from "./clients";
import { enforce, protectionFor } from "./protection";

type Row = Awaited<ReturnType<typeof db.promotion.findFirstOrThrow>>;

export function toView(p: Row): PromotionView {
  return {
    id: p.id, kind: p.kind, state: p.state.toLowerCase() as PromotionView["state"],
    source: { registryId: p.sourceRegistryId, repository: p.sourceRepository, reference: p.sourceReference, ...(p.sourceTag ? { tag: p.sourceTag } : {}) },
    target: { registryId: p.targetRegistryId, repository: p.targetRepository, tag: p.targetTag },
    digest: p.digest, previousDigest: p.previousDigest,
    bytesDone: Number(p.bytesDone), bytesTotal: Number(p.bytesTotal), blobsDone: p.blobsDone, blobsTotal: p.blobsTotal,
    error: p.error, requestedBy: p.requestedBy, createdAt: p.createdAt.toISOString(), finishedAt: p.finishedAt?.toISOString() ?? null,
  };
}

export type PromotionAnswer = { status: 200; body: { plan: PlanView } } | { status: 200 | 202; body: PromotionView };

export async function requestPromotion(actor: Actor, body: unknown): Promise<PromotionAnswer> {
  const input = promotionRequestSchema.parse(body);
  const { source, target } = input;
  validateRepository(source.repository);
  validateManifestReference(source.reference);
  if (source.tag) validateTag(source.tag);
  validateRepository(target.repository);
  validateTag(target.tag);
  // a registry (or source repository) the person may not see is missing for them
  await requireSee(actor, source.registryId, source.repository);
  await requireSee(actor, target.registryId);
  // an inline retag checks and moves the tag under its lock, taken while the rows are read
  const inline = !input.dryRun && source.registryId === target.registryId && source.repository === target.repository;
  // a person waits for this answer: a short wait for the lock, then a 409 that says why
  const lock = inline ? lockTarget(target.registryId, target.repository, target.tag, { timeoutMs: REQUEST_LOCK_WAIT_MS }) : undefined;
  lock?.catch(() => {});
  const handover = { done: false };
  try {
    return await checkAndStart(actor, input, lock, handover);
  } finally {
    if (lock && !handover.done) await (await lock.catch(() => null))?.();
  }
}

async function checkAndStart(actor: Actor, input: PromotionRequest, lock: Promise<Release> | undefined, handover: { done: boolean }): Promise<PromotionAnswer> {
  const { source, target } = input;
  const sourceRegistry = registryWithClient(source.registryId);
  const [{ registry: srcReg, client: src }, { registry: dstReg, client: dst, provider: dstProvider }, protection] = await Promise.all([
    sourceRegistry,
    source.registryId === target.registryId ? sourceRegistry : registryWithClient(target.registryId),
    protectionFor(target.registryId, target.repository, target.tag),
  ]);
  const kind = input.kind ?? (source.registryId === target.registryId && source.repository === target.repository ? "retag" : "promote");
  const targetName = `${dstReg.name}/${target.repository}:${target.tag}`;
  const audit = (outcome: "success" | "failure" | "denied", extra: Record<string, unknown>, digest?: string | null, previousDigest?: string | null) =>
    appendAudit({
      actorKind: "USER", actor: actor.email, action: kind, outcome, registryId: target.registryId, repository: target.repository, tag: target.tag,
      digest, previousDigest, sourceAddress: actor.address,
      details: { source: `${srcReg.name}/${source.repository}:${source.reference}`, target: targetName, ...extra },
    });

  // the grants and the rules apply before any registry call
  const targetRole = roleIn(await accessOf(actor), target.registryId, target.repository);
  try {
    if (!hasRole(targetRole, "OPERATOR")) {
      throw forbidden(`${kind} into ${targetName} needs the OPERATOR role on ${target.repository}; you have ${targetRole === "NONE" ? "no grant" : targetRole} there`);
    }
    enforce(protection, actor, targetName, false, targetRole);
  } catch (e) {
    await audit("denied", { reason: (e as Error).message });
    throw e;
  }

  // within one repository the manifest is needed anyway: GET it instead of a HEAD
  const sameRepository = source.registryId === target.registryId && source.repository === target.repository;
  const held = await lock;
  const [head, current] = await Promise.all([
    sameRepository ? src.getManifest(source.repository, source.reference).catch(notFoundAsNull) : src.headManifest(source.repository, source.reference),
    dst.headManifest(target.repository, target.tag),
  ]);
  if (!head) throw notFound(`${srcReg.name}/${source.repository}:${source.reference}`);
  const moving = !!current && current.digest !== head.digest;
  if (moving) {
    try {
      enforce(protection, actor, targetName, true, targetRole);
    } catch (e) {
      await audit("denied", { reason: (e as Error).message }, head.digest, current.digest);
      throw e;
    }
  }
  if (moving && !input.overwrite && !input.dryRun) {
    await audit("failure", { reason: "target tag exists; overwrite not confirmed" }, head.digest, current!.digest);
    throw conflict(`${targetName} already points to ${current!.digest}; confirm the overwrite to move it to ${head.digest}`, {
      currentDigest: current!.digest, newDigest: head.digest,
    });
  }

  if (input.dryRun) {
    const [{ plan, digest }, immutable] = await Promise.all([
      copyImage({ client: src, repository: source.repository, reference: head.digest }, { client: dst, repository: target.repository, tag: target.tag }, {
        dryRun: true, mountCandidates: (digests) => mountCandidates(target.registryId, target.repository, digests),
      }),
      // the vendor's own refusal, which the run would meet only at the last write
      moving && dstProvider.tagsImmutable ? dstProvider.tagsImmutable(target.repository).catch(() => false) : false,
    ]);
    const blockers = immutable ? [`repository ${target.repository} in ${dstReg.name} has immutable tags: ${target.tag} already exists and cannot be moved`] : [];
    return {
      status: 200,
      body: { plan: { source: plan.source, target: plan.target, digest, existingTargetDigest: current?.digest ?? null, noop: plan.noop, manifests: plan.manifests, blobs: plan.blobs, bytesToCopy: plan.bytesToCopy, blockers } },
    };
  }

  const row = await db.promotion.create({
    data: {
      sourceRegistryId: source.registryId, sourceRepository: source.repository, sourceReference: source.reference, sourceTag: source.tag ?? null,
      targetRegistryId: target.registryId, targetRepository: target.repository, targetTag: target.tag,
      kind, digest: head.digest, previousDigest: current?.digest ?? null, overwrite: !!input.overwrite,
      requestedBy: actor.email, requestedById: actor.id,
      // an inline one is RUNNING from the start: no queue offers it to anyone else
      ...(held ? { state: "RUNNING" as const, startedAt: new Date() } : {}),
    },
  });
  // within one repository nothing travels: the PUT of the bytes just read, answered at once
  if (held) {
    handover.done = true;
    return { status: 200, body: toView(await runPromotion(row.id, { checked: true, manifest: head as Manifest, clients: { src, dst }, row, lock: held })) };
  }
  await (await boss()).send(PROMOTION_QUEUE, { id: row.id }, { retryLimit: 0 });
  await wakeWorkers(PROMOTION_QUEUE);
  return { status: 202, body: toView(row) };
}

/** How long an inline retag waits for another promotion to the same tag before answering 409. */
const REQUEST_LOCK_WAIT_MS = 15_000;

function notFoundAsNull(e: unknown): null {
  if (e instanceof RegistryError && e.status === 404) return null;
  throw e;
}

export async function getPromotion(id: string): Promise<PromotionView> {
  const row = /^[0-9a-f-]{36}$/i.test(id) ? await db.promotion.findUnique({ where: { id } }) : null;
  if (!row) throw notFound(`promotion ${id}`);
  return toView(row);
}

/** The newest promotions; with `visibleRegistryIds`, those whose source and target both are in them. */
export async function listPromotions(limit = 50, visibleRegistryIds?: string[] | null, visible?: Visible): Promise<PromotionView[]> {
  const where = visibleRegistryIds ? { sourceRegistryId: { in: visibleRegistryIds }, targetRegistryId: { in: visibleRegistryIds } } : {};
  const rows = (await db.promotion.findMany({ where, orderBy: { createdAt: "desc" }, take: limit })).map(toView);
  return visible ? rows.filter((p) => visible(p.source.registryId, p.source.repository) && visible(p.target.registryId, p.target.repository)) : rows;
}

/** A failed promotion runs again, with the same checks as the first time. */
export async function retryPromotion(actor: Actor, id: string): Promise<PromotionView> {
  const row = await getPromotion(id);
  if (row.state !== "failed") throw new ApiError(409, "CONFLICT", `promotion ${id} is ${row.state}; only a failed one can be retried`);
  const again = await requestPromotion(actor, {
    source: row.source, target: row.target, overwrite: (await db.promotion.findUniqueOrThrow({ where: { id } })).overwrite, kind: row.kind,
  });
  return again.body as PromotionView;
}

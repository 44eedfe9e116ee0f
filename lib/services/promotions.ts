import "server-only";
// Retag, promote and roll back: checked (role, protection, overwrite) before anything changes,
// planned with a dry run, then run as a job (or inline for a retag within one repository).
import { appendAudit } from "@/lib/audit/log";
import { accessOf, requireSee, roleIn, type Visible } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/guard";
import { hasRole } from "@/lib/schemas/roles";
import { db } from "@/lib/db";
import { isId } from "@/lib/schemas/id";
import { conflict, forbidden, notFound } from "@/lib/errors";
import { boss, PROMOTION_QUEUE } from "@/lib/jobs/boss";
import { log } from "@/lib/observability/log";
import { wakeWorkers } from "@/lib/jobs/wake";
import { copyImage, copyScopes, RegistryError, validateManifestReference, validateRepository, validateTag, type Manifest } from "@/lib/registry";
import { promotionFinished, promotionRequestSchema, type PlanView, type PromotionRequest, type PromotionView } from "@/lib/schemas/promotion";
import { mountCandidates } from "./blob-index";
import { registryWithClient } from "./clients";
import { localRunDone, reserveLocalRun, lockTarget, promotionAuditEvent, runPromotion, tryLockTarget, type Release } from "./promotion-run";
import { enforce, protectionFor } from "./protection";
import { checkPublish } from "./publish-guard";
import { evaluateGate, SignatureGateRefused } from "./signature-gate";

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

/** A dry run's plan; a promotion done at once (a retag within one repository); or one queued for the workers. */
export type PromotionAnswer = { outcome: "planned"; plan: PlanView } | { outcome: "done" | "queued"; promotion: PromotionView };

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
  // a promotion to another repository starts here at once when this instance's worker has room and
  // the tag's lock is free now (checked and run under it, as a retag is); else it goes to the queue
  const place = inline || input.dryRun ? null : reserveLocalRun();
  const lock: Promise<Release | null> | undefined = inline
    ? lockTarget(target.registryId, target.repository, target.tag, { timeoutMs: REQUEST_LOCK_WAIT_MS })
    : place ? tryLockTarget(target.registryId, target.repository, target.tag) : undefined;
  lock?.catch(() => {});
  const handover = { done: false };
  try {
    return await checkAndStart(actor, input, lock, handover);
  } finally {
    // the run (if one started here) holds its own place in the running set by now
    place?.();
    if (lock && !handover.done) await (await lock.catch(() => null))?.();
  }
}

async function checkAndStart(actor: Actor, input: PromotionRequest, lock: Promise<Release | null> | undefined, handover: { done: boolean }): Promise<PromotionAnswer> {
  const { source, target } = input;
  // where the request's time goes (ms since the checks began): one log line once the row exists
  const t0 = Date.now();
  const ms: Record<string, number> = {};
  const mark = (step: string) => (ms[step] = Date.now() - t0);
  const sourceRegistry = registryWithClient(source.registryId);
  const [{ registry: srcReg, client: src, provider: srcProvider }, { registry: dstReg, client: dst, provider: dstProvider }, protection] = await Promise.all([
    sourceRegistry,
    source.registryId === target.registryId ? sourceRegistry : registryWithClient(target.registryId),
    protectionFor(target.registryId, target.repository, target.tag),
  ]);
  const kind = input.kind ?? (source.registryId === target.registryId && source.repository === target.repository ? "retag" : "promote");
  mark("registries");
  const targetName = `${dstReg.name}/${target.repository}:${target.tag}`;
  const event = {
    actor: actor.email, sourceAddress: actor.address, kind,
    source: { registryId: source.registryId, registryName: srcReg.name, repository: source.repository, reference: source.reference },
    target: { registryId: target.registryId, registryName: dstReg.name, repository: target.repository, tag: target.tag },
  };
  const audit = (outcome: "success" | "failure" | "denied", extra: Record<string, unknown>, digest?: string | null, previousDigest?: string | null) =>
    appendAudit(promotionAuditEvent(event, outcome, digest, previousDigest, extra));

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
  mark("rules");
  const held = await lock;
  mark("lock");
  const [head, current, publish] = await Promise.all([
    sameRepository ? src.getManifest(source.repository, source.reference).catch(notFoundAsNull) : src.headManifest(source.repository, source.reference),
    // a promotion that will write asks for the copy's token with this HEAD, so its run finds it cached
    dst.headManifest(target.repository, target.tag, undefined, input.dryRun ? undefined : copyScopes({ client: src, repository: source.repository }, { client: dst, repository: target.repository })),
    // a retag within one repository changes nobody's access: only its plan shows the visibility
    sameRepository && !input.dryRun ? null : checkPublish(actor, { registry: srcReg, provider: srcProvider, repository: source.repository }, { registry: dstReg, provider: dstProvider, repository: target.repository }, !!input.confirmPublish),
  ]);
  mark("heads");
  if (!head) throw notFound(`${srcReg.name}/${source.repository}:${source.reference}`);
  if (publish?.refusal && !input.dryRun) {
    await audit("denied", { reason: publish.refusal.message, visibility: { source: publish.plan.source.visibility, target: publish.plan.target.visibility } }, head.digest, current?.digest);
    throw publish.refusal;
  }
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

  // signed-only promotion: checked here for the plan and the request, and again by the run
  const gate = evaluateGate(protection, src, source.repository, head.digest);
  if (!input.dryRun) {
    const { requires, missing } = await gate;
    if (missing.length) {
      const refused = new SignatureGateRefused(`${targetName} requires ${requires.join(" and ")}: ${missing.join("; ")}`);
      await audit("denied", { reason: refused.message, gate: { requires, missing } }, head.digest, current?.digest);
      throw refused;
    }
  }

  mark("gate");
  if (input.dryRun) {
    const [{ plan, digest }, immutable, { requires, missing }] = await Promise.all([
      copyImage({ client: src, repository: source.repository, reference: head.digest }, { client: dst, repository: target.repository, tag: target.tag }, {
        dryRun: true, mountCandidates: (digests) => mountCandidates(target.registryId, target.repository, digests),
      }),
      // the vendor's own refusal, which the run would meet only at the last write
      moving && dstProvider.tagsImmutable ? dstProvider.tagsImmutable(target.repository).catch(() => false) : false,
      gate,
    ]);
    const blockers = [
      ...(immutable ? [`repository ${target.repository} in ${dstReg.name} has immutable tags: ${target.tag} already exists and cannot be moved`] : []),
      ...(publish?.blockers ?? []),
    ];
    if (missing.length) blockers.push(`${targetName} requires ${requires.join(" and ")}: ${missing.join("; ")}`);
    return {
      outcome: "planned",
      plan: { source: plan.source, target: plan.target, digest, existingTargetDigest: current?.digest ?? null, noop: plan.noop, manifests: plan.manifests, blobs: plan.blobs, bytesToCopy: plan.bytesToCopy, blockers, gate: { requires, missing }, ...(publish ? { visibility: publish.plan } : {}) },
    };
  }

  const row = await db.promotion.create({
    data: {
      sourceRegistryId: source.registryId, sourceRepository: source.repository, sourceReference: source.reference, sourceTag: source.tag ?? null,
      targetRegistryId: target.registryId, targetRepository: target.repository, targetTag: target.tag,
      kind, digest: head.digest, previousDigest: current?.digest ?? null, overwrite: !!input.overwrite,
      requestedBy: actor.email, requestedById: actor.id, requestedFrom: actor.address,
      // one run here (inline, or started by this request) is RUNNING from the start: no queue offers it to anyone else
      ...(held ? { state: "RUNNING" as const, startedAt: new Date() } : {}),
    },
  });
  mark("row");
  const timings = (startedBy: string) => log.info({ promotionId: row.id, startedBy, ms }, "promotion request timings");
  // within one repository nothing travels: the PUT of the bytes just read, answered at once
  if (held && !sameRepository) {
    handover.done = true;
    // not awaited: the caller gets its 202 and waits with GET ?wait= (answered from this run)
    void runPromotion(row.id, { checked: true, targetHead: current ? { digest: current.digest } : null, clients: { src, dst }, row, lock: held, background: true }).catch(() => {});
    timings("request");
    return { outcome: "queued", promotion: toView(row) };
  }
  if (held) {
    handover.done = true;
    timings("inline");
    return { outcome: "done", promotion: toView(await runPromotion(row.id, { checked: true, manifest: head as Manifest, clients: { src, dst }, row, lock: held })) };
  }
  const b = await boss();
  // the wake-up names the row: an instance with room claims it at once; the job is the fallback
  await Promise.all([b.send(PROMOTION_QUEUE, { id: row.id }, { retryLimit: 0 }), wakeWorkers(b, PROMOTION_QUEUE, row.id)]);
  mark("queued");
  timings("queue");
  return { outcome: "queued", promotion: toView(row) };
}

/** How long an inline retag waits for another promotion to the same tag before answering 409. */
const REQUEST_LOCK_WAIT_MS = 15_000;

function notFoundAsNull(e: unknown): null {
  if (e instanceof RegistryError && e.status === 404) return null;
  throw e;
}

export async function getPromotion(id: string): Promise<PromotionView> {
  const row = isId(id) ? await db.promotion.findUnique({ where: { id } }) : null;
  if (!row) throw notFound(`promotion ${id}`);
  return toView(row);
}

/**
 * The promotion once it has finished (succeeded or failed), or as it is after `waitMs`: one small
 * read every few ms (5 ms at first, at most 25 ms apart) instead of the caller's HTTP round trips.
 */
export async function waitForPromotion(id: string, waitMs: number, signal?: AbortSignal): Promise<PromotionView> {
  const deadline = Date.now() + waitMs;
  // run by this process: its end is known here, no reads in between
  const here = localRunDone(id);
  if (here) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([here, new Promise((r) => (timer = setTimeout(r, waitMs))), ...(signal ? [new Promise((r) => signal.addEventListener("abort", r, { once: true }))] : [])]);
    clearTimeout(timer);
  }
  for (let delay = 5; ; delay = Math.min(delay * 2, 25)) {
    const p = await getPromotion(id);
    const left = deadline - Date.now();
    if (promotionFinished(p.state) || left <= 0 || signal?.aborted) return p;
    await new Promise((r) => setTimeout(r, Math.min(delay, left)));
  }
}

/** The newest promotions; with `visibleRegistryIds`, those whose source and target both are in them. */
export async function listPromotions(limit = 50, visibleRegistryIds?: string[] | null, visible?: Visible): Promise<PromotionView[]> {
  const where = visibleRegistryIds ? { sourceRegistryId: { in: visibleRegistryIds }, targetRegistryId: { in: visibleRegistryIds } } : {};
  const rows = (await db.promotion.findMany({ where, orderBy: { createdAt: "desc" }, take: limit })).map(toView);
  return visible ? rows.filter((p) => visible(p.source.registryId, p.source.repository) && visible(p.target.registryId, p.target.repository)) : rows;
}

/** Promotions queued or running now, and started since midnight UTC (the overview's summary). */
/** Promotions running and requested today; with `visibleRegistryIds`, those into the asker's registries only. */
export async function promotionCounts(visibleRegistryIds?: string[] | null, now = new Date()): Promise<{ running: number; today: number }> {
  const midnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const mine = visibleRegistryIds ? { sourceRegistryId: { in: visibleRegistryIds }, targetRegistryId: { in: visibleRegistryIds } } : {};
  const [running, today] = await Promise.all([
    db.promotion.count({ where: { ...mine, state: { in: ["QUEUED", "RUNNING"] } } }),
    db.promotion.count({ where: { ...mine, createdAt: { gte: midnight } } }),
  ]);
  return { running, today };
}

/** A failed promotion runs again, with the same checks as the first time. */
export async function retryPromotion(actor: Actor, id: string): Promise<PromotionView> {
  const row = await getPromotion(id);
  if (row.state !== "failed") throw conflict(`promotion ${id} is ${row.state}; only a failed one can be retried`);
  const again = await requestPromotion(actor, {
    source: row.source, target: row.target, overwrite: (await db.promotion.findUniqueOrThrow({ where: { id } })).overwrite, kind: row.kind,
  });
  if (again.outcome === "planned") throw new Error("a retry is never a dry run");
  return again.promotion;
}

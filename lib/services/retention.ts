import "server-only";
// Retention policies: registry + repository glob + keep rules. A preview (dry run) says for every
// tag whether it goes or stays and why; a run deletes exactly the preview's delete list through
// delete-tag.ts (the provider's own method, the tag page's shared-digest rule, one audit event per
// deletion), re-checking each tag's digest just before, and stops between deletions when asked.
//
// Always kept, whatever the rules say: a tag any protection rule covers, a tag whose digest a
// pipeline stage holds under the same tag, every tag of a digest a kept index references, and
// (where the registry deletes by digest) every tag sharing a digest with a kept tag.
import { parseExpression } from "cron-parser";
import type PgBoss from "pg-boss";
import { conflict, DomainError, notFound } from "@/lib/errors";
import { appendAudit } from "@/lib/audit/log";
import type { Actor } from "@/lib/auth/guard";
import { db } from "@/lib/db";
import { compileGlob } from "@/lib/glob-match";
import { isIndexMediaType, mapLimit, type RegistryClient } from "@/lib/registry";
import { manifestLinks } from "@/lib/registry/types";
import type { RetentionPolicy, RetentionRun } from "@/lib/generated/prisma/client";
import {
  retentionPolicyPatchSchema,
  retentionPolicySchema,
  retentionRulesSchema,
  type RetentionItem,
  type RetentionPolicyView,
  type RetentionPreview,
  type RetentionRules,
  type RetentionRunView,
} from "@/lib/schemas/retention";
import { listRepositories } from "./browse";
import { registryProvider } from "./clients";
import { deletePreviewed, type DeletePreview } from "./delete-tag";
import { listStages } from "./stages";
import { protectionFor } from "./protection";
import { getRegistry } from "./registries";
import { isId } from "@/lib/schemas/id";
import { processWide } from "@/lib/process-wide";

/** Bounds: repositories one policy covers, tags per repository, children of one index read for bytes. */
export const MAX_REPOSITORIES = 500;
export const MAX_TAGS = 10_000;
/** Tags one policy evaluates over all its repositories (bounds the preview's answer and a run's work). */
export const MAX_TOTAL_TAGS = 50_000;
const MAX_CHILDREN = 64;
const CONCURRENCY = 8;


// ---------- versions ----------

export interface Version {
  major: number;
  minor: number;
  patch: number;
  pre?: string;
}

// v1, 1.2, 1.2.3, 1.2.3-rc.1 (build metadata cannot occur: "+" is not allowed in a tag)
const VERSION_RE = /^v?(\d{1,9})(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?(?:-([0-9A-Za-z][0-9A-Za-z.-]{0,100}))?$/;

export function parseVersion(tag: string): Version | null {
  const m = VERSION_RE.exec(tag);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0), pre: m[4] };
}

const collator = new Intl.Collator("en", { numeric: true });

/** Semver-like order: numbers numerically, a pre-release before its release, pre-releases by natural order. */
export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || (a.pre === b.pre ? 0 : a.pre === undefined ? 1 : b.pre === undefined ? -1 : collator.compare(a.pre, b.pre));
}

// ---------- policies ----------

function toView(p: RetentionPolicy): RetentionPolicyView {
  return {
    id: p.id,
    name: p.name,
    registryId: p.registryId,
    repositoryGlob: p.repositoryGlob,
    rules: p.rules as RetentionRules,
    schedule: p.schedule,
    createdBy: p.createdBy,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

async function policyRow(id: string): Promise<RetentionPolicy> {
  const row = isId(id) ? await db.retentionPolicy.findUnique({ where: { id } }) : null;
  if (!row) throw notFound(`retention policy ${id}`);
  return row;
}

export async function listPolicies(visibleRegistryIds?: string[] | null): Promise<RetentionPolicyView[]> {
  const where = visibleRegistryIds ? { registryId: { in: visibleRegistryIds } } : {};
  return (await db.retentionPolicy.findMany({ where, orderBy: { createdAt: "asc" }, take: 500 })).map(toView);
}

export async function getPolicy(id: string): Promise<RetentionPolicyView> {
  return toView(await policyRow(id));
}

export async function createPolicy(actor: Actor, body: unknown): Promise<RetentionPolicyView> {
  const input = retentionPolicySchema.parse(body);
  await getRegistry(input.registryId);
  const row = await db.retentionPolicy.create({ data: { ...input, createdBy: actor.email } });
  await appendAudit({ actorKind: "USER", actor: actor.email, action: "retention.create", outcome: "success", registryId: row.registryId, sourceAddress: actor.address, details: { id: row.id, name: row.name, repositoryGlob: row.repositoryGlob, rules: input.rules } });
  return toView(row);
}

export async function updatePolicy(actor: Actor, id: string, body: unknown): Promise<RetentionPolicyView> {
  const input = retentionPolicyPatchSchema.parse(body);
  const before = await policyRow(id);
  if (input.registryId) await getRegistry(input.registryId);
  const row = await db.retentionPolicy.update({ where: { id: before.id }, data: input });
  await appendAudit({ actorKind: "USER", actor: actor.email, action: "retention.update", outcome: "success", registryId: row.registryId, sourceAddress: actor.address, details: { id: row.id, changed: Object.keys(input) } });
  return toView(row);
}

export async function deletePolicy(actor: Actor, id: string): Promise<void> {
  const row = await policyRow(id);
  if (await db.retentionRun.findFirst({ where: { policyId: row.id, state: { in: ["running", "stopping"] } } })) throw conflict("a run of this policy is in progress: stop it first");
  await db.retentionPolicy.delete({ where: { id: row.id } });
  await appendAudit({ actorKind: "USER", actor: actor.email, action: "retention.delete", outcome: "success", registryId: row.registryId, sourceAddress: actor.address, details: { id: row.id, name: row.name } });
}

// ---------- evaluation ----------

interface TagState {
  repository: string;
  tag: string;
  digest: string;
  mediaType: string;
  keep?: string;
  deleteReason?: string;
}

/** Repositories the glob covers: a glob without wildcards is the one name itself (no catalog needed). */
async function coveredRepositories(registryId: string, glob: string): Promise<string[]> {
  if (!/[*?[\]{}\\]/.test(glob)) return [glob];
  const re = compileGlob(glob);
  const out: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const p = await listRepositories(registryId, { cursor, pageSize: 500 });
    for (const r of p.repositories) if (re.test(r.name)) out.push(r.name);
    if (out.length > MAX_REPOSITORIES) throw conflict(`the repository glob covers more than ${MAX_REPOSITORIES} repositories: narrow it`);
    if (!p.nextCursor) return out;
    cursor = p.nextCursor;
  }
  throw conflict("the registry's catalog has too many pages: narrow the repository glob");
}

/** Blobs (config + layers; an index: its children's) of one manifest, digest -> size. */
async function blobsOf(client: RegistryClient, repository: string, digest: string, mediaType: string): Promise<{ blobs: Map<string, number>; children: string[] }> {
  const blobs = new Map<string, number>();
  const m = await client.getManifest(repository, digest);
  const links = manifestLinks(m.json);
  const add = (l: { config?: { digest: string; size: number }; layers: { digest: string; size: number }[] }) => {
    if (l.config) blobs.set(l.config.digest, l.config.size);
    for (const b of l.layers) blobs.set(b.digest, b.size);
  };
  add(links);
  const children = isIndexMediaType(m.mediaType || mediaType) ? links.manifests.map((d) => d.digest) : [];
  await mapLimit(children.slice(0, MAX_CHILDREN), 4, async (c) => {
    try {
      add(manifestLinks((await client.getManifest(repository, c)).json));
    } catch {
      // a missing child frees nothing more
    }
  });
  return { blobs, children };
}

async function evaluateRepository(policy: RetentionPolicyView, client: RegistryClient, repository: string, digestScope: boolean, stages: { name: string; registryId: string; repository: string }[]) {
  const { registryId } = policy;
  const rules = retentionRulesSchema.parse(policy.rules);
  const names = await client.listTags(repository);
  if (names.length > MAX_TAGS) throw conflict(`${repository} has ${names.length} tags, more than the ${MAX_TAGS} one policy run handles`);
  const tags: TagState[] = (
    await mapLimit(names, CONCURRENCY, async (tag) => {
      const head = await client.headManifest(repository, tag);
      return head ? { repository, tag, digest: head.digest, mediaType: head.mediaType } : null;
    })
  ).filter((t): t is TagState => !!t);

  // what Regatta's index knows: push time (pushedAt, else the image's created time, else first seen)
  const records = new Map((await db.tagRecord.findMany({ where: { registryId, repository }, select: { tag: true, pushedAt: true, firstSeenAt: true, digest: true } })).map((r) => [r.tag, r]));
  const infos = new Map((await db.manifestInfo.findMany({ where: { digest: { in: [...new Set(tags.map((t) => t.digest))] } }, select: { digest: true, createdAt: true } })).map((m) => [m.digest, m.createdAt]));

  // pipeline stages: the same tag at the same digest in a stage repository (another one than this)
  const inStage = new Map<string, string>();
  for (const s of stages) {
    if (s.registryId === registryId && s.repository === repository) continue;
    try {
      const stageClient = (await registryProvider(s.registryId)).client;
      const stageTags = new Set(await stageClient.listTags(s.repository));
      await mapLimit(
        tags.filter((t) => stageTags.has(t.tag) && !inStage.has(t.tag)),
        CONCURRENCY,
        async (t) => {
          if ((await stageClient.headManifest(s.repository, t.tag))?.digest === t.digest) inStage.set(t.tag, s.name);
        },
      );
    } catch (err) {
      // a stage's registry that does not answer must neither block every policy nor let a tag it
      // holds go: what Regatta's index last saw there stands in, and the reason says so
      const seen = await db.tagRecord.findMany({ where: { registryId: s.registryId, repository: s.repository, tag: { in: tags.map((t) => t.tag) } }, select: { tag: true, digest: true } });
      const digestOf = new Map(seen.map((r) => [r.tag, r.digest]));
      const why = err instanceof Error ? err.message : String(err);
      for (const t of tags) {
        if (!inStage.has(t.tag) && digestOf.get(t.tag) === t.digest) inStage.set(t.tag, `${s.name} (as Regatta last saw it: ${why.slice(0, 120)})`);
      }
    }
  }

  const keepGlobs = (rules.keepTags ?? []).map((g) => ({ g, re: compileGlob(g) }));
  const since = rules.keepDays ? Date.now() - rules.keepDays * 86_400_000 : 0;
  for (const t of tags) {
    const p = await protectionFor(registryId, repository, t.tag);
    if (p.reasons.length) t.keep = `protected (${p.reasons.join("; ")})`;
    else if (inStage.has(t.tag)) t.keep = `in stage ${inStage.get(t.tag)}`;
    else {
      const g = keepGlobs.find((k) => k.re.test(t.tag));
      if (g) t.keep = `matches keepTags ${g.g}`;
    }
    if (!t.keep && rules.keepDays) {
      const r = records.get(t.tag);
      const pushed = (r?.digest === t.digest ? r.pushedAt : null) ?? infos.get(t.digest) ?? (r?.digest === t.digest ? r.firstSeenAt : null);
      if (!pushed) t.keep = "push time unknown (keepDays keeps what it cannot date)";
      else if (pushed.getTime() >= since) t.keep = `pushed ${pushed.toISOString().slice(0, 10)}, within ${rules.keepDays} days`;
    }
  }
  if (rules.keepLast) {
    const per = rules.keepLast.per ?? "all";
    const lines = new Map<string, { t: TagState; v: Version }[]>();
    for (const t of tags) {
      const v = parseVersion(t.tag);
      if (!v) continue;
      const key = per === "all" ? "" : per === "major" ? `${v.major}` : `${v.major}.${v.minor}`;
      lines.set(key, [...(lines.get(key) ?? []), { t, v }]);
    }
    for (const [key, line] of lines) {
      line.sort((a, b) => compareVersions(b.v, a.v) || a.t.tag.localeCompare(b.t.tag));
      const where = per === "all" ? "" : ` of line ${key}.x`;
      line.forEach(({ t }, i) => {
        if (i < rules.keepLast!.count) t.keep ??= `one of the newest ${rules.keepLast!.count} versions${where}`;
        else t.deleteReason = `older than the newest ${rules.keepLast!.count} versions${where}`;
      });
    }
  }

  // manifests (bounded by the tag count): index children and blobs for the bytes freed
  const digests = new Map<string, string>();
  for (const t of tags) digests.set(t.digest, t.mediaType);
  const graph = new Map<string, { blobs: Map<string, number>; children: string[] }>();
  await mapLimit([...digests], CONCURRENCY, async ([d, mt]) => {
    graph.set(d, await blobsOf(client, repository, d, mt));
  });

  // the always-keep closure: children of kept indexes, siblings of kept tags (digest-scope deletes)
  for (let changed = true, rounds = 0; changed && rounds < 20; rounds++) {
    changed = false;
    const keptByDigest = new Map<string, TagState>();
    const keptChildren = new Map<string, TagState>();
    for (const t of tags) {
      if (!t.keep) continue;
      keptByDigest.set(t.digest, t);
      for (const c of graph.get(t.digest)?.children ?? []) keptChildren.set(c, t);
    }
    for (const t of tags) {
      if (t.keep) continue;
      const parent = keptChildren.get(t.digest);
      const sibling = keptByDigest.get(t.digest);
      if (parent) t.keep = `its digest is part of the kept index ${parent.tag}`;
      else if (sibling && digestScope) t.keep = `shares its digest with the kept tag ${sibling.tag} (this registry deletes by digest)`;
      if (t.keep) changed = true;
    }
  }

  const keepBlobs = new Set<string>();
  for (const t of tags) if (t.keep) for (const b of graph.get(t.digest)?.blobs.keys() ?? []) keepBlobs.add(b);
  const freed = new Map<string, number>();
  for (const t of tags) if (!t.keep) for (const [b, size] of graph.get(t.digest)?.blobs ?? []) if (!keepBlobs.has(b)) freed.set(b, size);

  const item = (t: TagState, reason: string): RetentionItem => ({ registryId, repository, tag: t.tag, digest: t.digest, reason });
  const order = (a: TagState, b: TagState) => {
    const va = parseVersion(a.tag);
    const vb = parseVersion(b.tag);
    return va && vb ? compareVersions(vb, va) : va ? -1 : vb ? 1 : a.tag.localeCompare(b.tag);
  };
  tags.sort(order);
  return {
    keep: tags.filter((t) => t.keep).map((t) => item(t, t.keep!)),
    delete: tags.filter((t) => !t.keep).map((t) => item(t, t.deleteReason ?? "kept by no rule")),
    bytes: [...freed.values()].reduce((a, b) => a + b, 0),
  };
}

async function evaluate(policy: RetentionPolicyView): Promise<RetentionPreview & { digestScope: boolean }> {
  await getRegistry(policy.registryId);
  const provider = await registryProvider(policy.registryId);
  const digestScope = provider.deleteMethod?.scope !== "tag";
  const stages = await listStages();
  const out: RetentionPreview & { digestScope: boolean } = { delete: [], keep: [], bytes: 0, digestScope };
  for (const repository of await coveredRepositories(policy.registryId, policy.repositoryGlob)) {
    const r = await evaluateRepository(policy, provider.client, repository, digestScope, stages);
    out.delete.push(...r.delete);
    out.keep.push(...r.keep);
    out.bytes += r.bytes;
    if (out.delete.length + out.keep.length > MAX_TOTAL_TAGS) throw conflict(`the policy covers more than ${MAX_TOTAL_TAGS} tags: narrow its repository glob`);
  }
  return out;
}

export async function previewPolicy(id: string): Promise<RetentionPreview> {
  const { digestScope: _, ...preview } = await evaluate(await getPolicy(id));
  return preview;
}

// ---------- runs ----------

function runView(r: RetentionRun): RetentionRunView {
  return {
    id: r.id,
    policyId: r.policyId,
    state: r.state as RetentionRunView["state"],
    requestedBy: r.requestedBy,
    total: r.total,
    deleted: r.deleted,
    failed: r.failed,
    bytes: Number(r.bytes),
    report: (r.report as RetentionRunView["report"]) ?? null,
    error: r.error,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

export async function listRuns(policyId: string): Promise<RetentionRunView[]> {
  const policy = await policyRow(policyId);
  return (await db.retentionRun.findMany({ where: { policyId: policy.id }, orderBy: { createdAt: "desc" }, take: 50 })).map(runView);
}

// the runs this process is executing, whichever bundle started them
const inFlight = processWide("retentionRuns", () => new Map<string, Promise<void>>());

/** A run's instance writes its heartbeat this often; a run silent for STALE_MS was interrupted. */
export const HEARTBEAT_MS = 10_000;
export const STALE_MS = 120_000;

/** Marks the policy's runs whose instance went silent (stopped, crashed) as failed; any instance may. */
async function failStaleRuns(policyId: string, registryId: string) {
  const stale = await db.retentionRun.findMany({ where: { policyId, state: { in: ["running", "stopping"] }, heartbeatAt: { lt: new Date(Date.now() - STALE_MS) } } });
  for (const r of stale) {
    const { count } = await db.retentionRun.updateMany({ where: { id: r.id, state: r.state, heartbeatAt: r.heartbeatAt }, data: { state: "failed", error: "interrupted: the instance running it stopped; start it again", finishedAt: new Date() } });
    if (count) await appendAudit({ actorKind: "SYSTEM", actor: "regatta", action: "retention.run", outcome: "failure", registryId, details: { policyId, runId: r.id, error: "interrupted" } });
  }
}

/** Starts a run (202): the deletions happen after the answer; poll the runs list for progress. */
export async function startRun(actor: Actor, policyId: string): Promise<{ id: string }> {
  const policy = await policyRow(policyId);
  await failStaleRuns(policy.id, policy.registryId);
  if (await db.retentionRun.findFirst({ where: { policyId: policy.id, state: { in: ["running", "stopping"] } } })) throw conflict("a run of this policy is already in progress");
  const run = await db.retentionRun.create({ data: { policyId: policy.id, requestedBy: actor.email } });
  const p = execute(actor, toView(policy), run.id).finally(() => inFlight.delete(run.id));
  inFlight.set(run.id, p);
  return { id: run.id };
}

/** Resolves when the run (started in this process) has finished; for tests and shutdown. */
export async function waitForRun(runId: string): Promise<void> {
  await inFlight.get(runId);
}

export async function stopRun(actor: Actor, policyId: string, runId: string): Promise<RetentionRunView> {
  const policy = await policyRow(policyId);
  const run = isId(runId) ? await db.retentionRun.findFirst({ where: { id: runId, policyId: policy.id } }) : null;
  if (!run) throw notFound(`retention run ${runId}`);
  if (run.state !== "running") return runView(run);
  const updated = await db.retentionRun.update({ where: { id: run.id }, data: { state: "stopping" } });
  await appendAudit({ actorKind: "USER", actor: actor.email, action: "retention.stop", outcome: "success", registryId: policy.registryId, sourceAddress: actor.address, details: { policyId: policy.id, runId: run.id } });
  return runView(updated);
}

async function execute(actor: Actor, policy: RetentionPolicyView, runId: string): Promise<void> {
  const deleted: { repository: string; tag: string; digest: string }[] = [];
  const failures: { repository: string; tag: string; error: string }[] = [];
  const report = () => ({ deleted, failures });
  const beat = setInterval(() => void db.retentionRun.updateMany({ where: { id: runId, state: { in: ["running", "stopping"] } }, data: { heartbeatAt: new Date() } }).catch(() => undefined), HEARTBEAT_MS);
  beat.unref?.();
  try {
    const plan = await evaluate(policy);
    await db.retentionRun.update({ where: { id: runId }, data: { total: plan.delete.length } });
    const provider = await registryProvider(policy.registryId);
    // digest-scope registries: one DELETE per digest takes every tag on it (all of them planned)
    const groups = new Map<string, RetentionItem[]>();
    for (const d of plan.delete) {
      const key = plan.digestScope ? `${d.repository}@${d.digest}` : `${d.repository}:${d.tag}`;
      groups.set(key, [...(groups.get(key) ?? []), d]);
    }
    let stopped = false;
    for (const items of groups.values()) {
      const state = (await db.retentionRun.findUnique({ where: { id: runId }, select: { state: true } }))?.state;
      if (state !== "running") {
        stopped = true;
        break;
      }
      const first = items[0]!;
      try {
        // the tag must still point where the preview saw it
        const head = await provider.client.headManifest(first.repository, first.tag);
        if (head?.digest !== first.digest) throw conflict(`${first.repository}:${first.tag} moved since the preview (now ${head?.digest ?? "gone"}): left alone`);
        const preview: DeletePreview = {
          digest: first.digest,
          tags: items.map((i) => i.tag).sort(),
          method: plan.digestScope ? "digest" : "tag",
          explanation: `retention policy ${policy.name}`,
        };
        await deletePreviewed(actor, policy.registryId, first.repository, first.tag, preview, first.digest, { retentionPolicyId: policy.id, retentionRunId: runId, reason: first.reason });
        deleted.push(...items.map((i) => ({ repository: i.repository, tag: i.tag, digest: i.digest })));
      } catch (e) {
        failures.push(...items.map((i) => ({ repository: i.repository, tag: i.tag, error: (e as Error).message.slice(0, 300) })));
      }
      await db.retentionRun.update({ where: { id: runId }, data: { deleted: deleted.length, failed: failures.length, report: report(), heartbeatAt: new Date() } });
    }
    await db.retentionRun.update({
      where: { id: runId },
      data: { state: stopped ? "stopped" : failures.length ? "failed" : "succeeded", bytes: stopped || failures.length ? 0 : plan.bytes, deleted: deleted.length, failed: failures.length, report: report(), finishedAt: new Date() },
    });
    await appendAudit({ actorKind: "USER", actor: actor.email, action: "retention.run", outcome: failures.length ? "failure" : "success", registryId: policy.registryId, sourceAddress: actor.address, details: { policyId: policy.id, runId, deleted: deleted.length, failed: failures.length, stopped } });
  } catch (e) {
    await db.retentionRun.update({ where: { id: runId }, data: { state: "failed", error: (e as Error).message.slice(0, 500), report: report(), finishedAt: new Date() } });
    await appendAudit({ actorKind: "USER", actor: actor.email, action: "retention.run", outcome: "failure", registryId: policy.registryId, sourceAddress: actor.address, details: { policyId: policy.id, runId, error: (e as Error).message.slice(0, 300) } });
  } finally {
    clearInterval(beat);
  }
}

// ---------- schedules ----------

/** One pg-boss schedule, once a minute across all instances; its job starts the policies due that minute. */
export const RETENTION_SCHEDULE_QUEUE = "retention-schedule";

/** Who a scheduled run acts as (its audit events and deletions name it). */
export const SCHEDULER: Actor = { id: "00000000-0000-0000-0000-000000000000", email: "regatta (schedule)", name: "retention schedule", role: "ADMIN", via: "token", address: null };

/** Whether `schedule` (cron, UTC) has an occurrence in the minute that holds `at`. */
export function dueAt(schedule: string, at: Date): boolean {
  const minute = Math.floor(at.getTime() / 60_000) * 60_000;
  try {
    return parseExpression(schedule, { tz: "UTC", currentDate: new Date(minute - 1) }).next().getTime() === minute;
  } catch {
    return false;
  }
}

/** Starts a run of every policy whose schedule is due in the minute of `at`; one in progress is left alone. */
export async function runDuePolicies(at = new Date()): Promise<string[]> {
  const started: string[] = [];
  for (const p of await db.retentionPolicy.findMany({ where: { schedule: { not: null } } })) {
    if (!dueAt(p.schedule!, at)) continue;
    try {
      started.push((await startRun(SCHEDULER, p.id)).id);
    } catch (e) {
      if (!(e instanceof DomainError && e.code === "CONFLICT")) throw e;
    }
  }
  return started;
}

export async function startRetentionScheduler(b: PgBoss): Promise<void> {
  await b.createQueue(RETENTION_SCHEDULE_QUEUE, { name: RETENTION_SCHEDULE_QUEUE, policy: "stately", retryLimit: 0 });
  // the minute the schedule fired (createdOn), not when a busy worker got to it
  await b.work(RETENTION_SCHEDULE_QUEUE, { batchSize: 1, pollingIntervalSeconds: 5, includeMetadata: true }, async ([job]) => {
    await runDuePolicies(job ? new Date(job.createdOn) : new Date());
  });
  await b.schedule(RETENTION_SCHEDULE_QUEUE, "* * * * *");
}

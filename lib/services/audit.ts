import "server-only";
// Audit queries: filtered, keyset-paged listing, exports, the last push of a tag, daily activity.
import { verifyAuditChain, type ChainReport } from "@/lib/audit/verify";
import { metrics } from "@/lib/observability/metrics";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { AUDIT_PAGE_MAX, auditQuerySchema, type ActivityItem, type AuditEventView, type AuditQuery } from "@/lib/schemas/audit";

export { AUDIT_PAGE_MAX, type AuditQuery };

const EXPORT_BATCH = 2_000;
/** An export stops here; narrow the filters for more. */
export const AUDIT_EXPORT_MAX = 200_000;


export type { AuditEventView };

export function parseAuditQuery(params: URLSearchParams): AuditQuery {
  return auditQuerySchema.parse(Object.fromEntries([...params.entries()].filter(([k]) => k in auditQuerySchema.shape)));
}

/**
 * Which registries' events the asker may read: undefined = all (global admins); else those ids
 * only (registry admins: their registries; events without a registry are the global admins').
 */
export type AuditScope = string[] | undefined;

/**
 * Actions renamed after events were written under the old name (which stay as written: the chain
 * covers them). A filter on the new name, or a prefix of it, also finds the old events.
 */
const LEGACY_ACTIONS: Record<string, string> = { "stage.": "environment." };

function withLegacyNames(action: string): string[] {
  for (const [now, before] of Object.entries(LEGACY_ACTIONS)) if (action.startsWith(now)) return [action, before + action.slice(now.length)];
  return [action];
}

function where(q: AuditQuery, scope?: AuditScope): Prisma.AuditEventWhereInput {
  const and: Prisma.AuditEventWhereInput[] = [];
  if (scope) and.push({ registryId: { in: scope } });
  if (q.actor) and.push({ actor: { equals: q.actor, mode: "insensitive" } });
  if (q.action) {
    const parts = q.action.split(",").map((a) => a.trim()).filter(Boolean).flatMap(withLegacyNames);
    and.push({ OR: parts.map((a) => (a.endsWith("*") ? { action: { startsWith: a.slice(0, -1) } } : { action: a })) });
  }
  if (q.registryId) and.push({ registryId: q.registryId });
  if (q.repository) and.push({ repository: q.repository });
  if (q.tag) and.push({ tag: q.tag });
  // the digest column is indexed, previousDigest is not: matching both scanned the whole log
  if (q.digest) and.push({ digest: q.digest });
  if (q.outcome) and.push({ outcome: q.outcome });
  if (q.since) and.push({ at: { gte: q.since } });
  if (q.until) and.push({ at: { lt: q.until } });
  if (q.cursor) and.push({ id: { lt: BigInt(q.cursor) } });
  return and.length ? { AND: and } : {};
}

type Row = Awaited<ReturnType<typeof db.auditEvent.findFirstOrThrow>>;

export function toView(e: Row): AuditEventView {
  return {
    id: e.id.toString(), at: e.at.toISOString(), actorKind: e.actorKind, actor: e.actor, action: e.action,
    registryId: e.registryId, repository: e.repository, tag: e.tag, digest: e.digest, previousDigest: e.previousDigest,
    outcome: e.outcome, sourceAddress: e.sourceAddress, ...(e.details != null ? { details: e.details } : {}),
  };
}

/** Newest first, keyset-paged on id: nextCursor is the id to pass as cursor for the next page. */
export async function listAudit(q: AuditQuery, scope?: AuditScope): Promise<{ events: AuditEventView[]; nextCursor?: string }> {
  const rows = await db.auditEvent.findMany({ where: where(q, scope), orderBy: { id: "desc" }, take: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  return { events: page.map(toView), ...(rows.length > q.limit ? { nextCursor: page[page.length - 1].id.toString() } : {}) };
}

/** Every matching event, newest first, in batches (for exports). */
export async function* iterateAudit(q: AuditQuery, max = AUDIT_EXPORT_MAX, scope?: AuditScope): AsyncGenerator<AuditEventView> {
  let cursor = q.cursor;
  let n = 0;
  for (;;) {
    const take = Math.min(EXPORT_BATCH, max - n);
    if (take <= 0) return;
    const rows = await db.auditEvent.findMany({ where: where({ ...q, cursor }, scope), orderBy: { id: "desc" }, take });
    for (const r of rows) yield toView(r);
    n += rows.length;
    if (rows.length < take) return;
    cursor = rows[rows.length - 1].id.toString();
  }
}

export const CSV_COLUMNS = ["id", "at", "actorKind", "actor", "action", "outcome", "registryId", "repository", "tag", "digest", "previousDigest", "sourceAddress", "details"] as const;

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  let s = typeof v === "string" ? v : JSON.stringify(v);
  // a cell a spreadsheet would run as a formula is quoted with a leading apostrophe
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** An export as a streamed download: CSV (one header row) or a JSON array; the route sends it as an attachment. */
export function exportAudit(q: AuditQuery, format: "csv" | "json", scope?: AuditScope): { stream: ReadableStream<Uint8Array>; contentType: string; filename: string } {
  const enc = new TextEncoder();
  const it = iterateAudit(q, AUDIT_EXPORT_MAX, scope);
  let first = true;
  let ended = false;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(enc.encode(format === "csv" ? CSV_COLUMNS.join(",") + "\r\n" : "["));
    },
    async pull(c) {
      if (ended) return;
      const { value, done } = await it.next();
      if (done) {
        ended = true;
        if (format === "json") c.enqueue(enc.encode(first ? "]\n" : "\n]\n"));
        c.close();
        return;
      }
      if (format === "csv") {
        const row = value as unknown as Record<string, unknown>;
        c.enqueue(enc.encode(CSV_COLUMNS.map((k) => csvCell(row[k])).join(",") + "\r\n"));
      } else {
        c.enqueue(enc.encode((first ? "\n" : ",\n") + JSON.stringify(value)));
      }
      first = false;
    },
    async cancel() {
      await it.return(undefined);
    },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return {
    stream,
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
    filename: `regatta-audit-${stamp}.${format}`,
  };
}

/** The audit actions of a promotion (retag, promote, rollback). */
export const PROMOTION_ACTIONS = ["promote", "retag", "rollback"];

/** Who last put this tag where it is: a push the registry reported, or a Regatta promotion. */
/** What everyone who may browse sees of the last push: who, when, what. No address, no delivery details. */
export type LastPushView = Pick<AuditEventView, "id" | "at" | "actorKind" | "actor" | "action" | "registryId" | "repository" | "tag" | "digest" | "previousDigest" | "outcome">;

/**
 * The last push or promotion of a tag. Viewers see the tag pages, so they see who pushed; the
 * pusher's address and the registry's delivery details (request host, user agent …) are for
 * admins only (`full`), as is the audit log itself.
 */
export async function lastPush(registryId: string, repository: string, tag: string, opts: { full?: boolean } = {}): Promise<LastPushView | AuditEventView | null> {
  const e = await db.auditEvent.findFirst({
    where: { registryId, repository, tag, action: { in: ["registry.push", ...PROMOTION_ACTIONS] }, outcome: "success" },
    orderBy: { id: "desc" },
  });
  if (!e) return null;
  if (opts.full) return toView(e);
  return {
    id: e.id.toString(), at: e.at.toISOString(), actorKind: e.actorKind, actor: e.actor, action: e.action, registryId: e.registryId,
    repository: e.repository, tag: e.tag, digest: e.digest, previousDigest: e.previousDigest, outcome: e.outcome,
  };
}

/** What changed in the registries lately (pushes, promotions, retags, roll backs, deletes), for the overview. */
export const REGISTRY_ACTIVITY = ["registry.push", "registry.delete", ...PROMOTION_ACTIONS, "delete"];

/**
 * The newest successful changes to tags, for everyone who may browse: no sign-ins, users or tokens
 * (the audit log itself stays admin-only), and no source addresses.
 */
export async function recentActivity(limit = 12, visibility?: (registryCol: Prisma.Sql, repositoryCol: Prisma.Sql) => Promise<Prisma.Sql>): Promise<ActivityItem[]> {
  const select = { id: true, at: true, actor: true, action: true, registryId: true, repository: true, tag: true, digest: true, previousDigest: true, details: true } as const;
  // what the asker may not see is left out in the database (the ids of the visible events first)
  const vis = visibility ? await visibility(Prisma.sql`"registryId"`, Prisma.sql`"repository"`) : null;
  const ids = vis
    ? (await db.$queryRaw<{ id: bigint }[]>`
        SELECT "id" FROM "AuditEvent" WHERE "action" = ANY(${REGISTRY_ACTIVITY}) AND "outcome" = 'success' AND "repository" IS NOT NULL AND ${vis}
        ORDER BY "id" DESC LIMIT ${limit}`).map((r) => r.id)
    : null;
  const rows = await db.auditEvent.findMany({
    // "registry.delete" also names a registry removed from Regatta (no repository): not a tag change
    where: { action: { in: REGISTRY_ACTIVITY }, outcome: "success", repository: { not: null }, ...(ids ? { id: { in: ids } } : {}) },
    orderBy: { id: "desc" },
    take: limit,
    select,
  });
  const own = await ownCauses(rows);
  return rows.filter((r) => !own.has(r.id)).map((r) => {
    const observedBy = (r.details as { observedBy?: unknown } | null)?.observedBy;
    return {
      id: r.id.toString(), at: r.at.toISOString(), actor: r.actor, action: r.action, registryId: r.registryId,
      repository: r.repository, tag: r.tag, digest: r.digest, previousDigest: r.previousDigest,
      ...(typeof observedBy === "string" ? { observedBy } : {}),
    };
  });
}

/** Regatta's own change of a tag and the registry's event about it, in either order, this far apart. */
const OWN_EVENT_BEFORE_MS = 2 * 60_000;
const OWN_EVENT_AFTER_MS = 10 * 60_000;
/** The registry event each Regatta action causes. */
const CAUSED: Record<string, string> = { promote: "registry.push", retag: "registry.push", rollback: "registry.push", delete: "registry.delete" };

type ActivityRow = { id: bigint; at: Date; action: string; registryId: string | null; repository: string | null; tag: string | null; digest: string | null };

/**
 * The registry events (webhook or sync) that Regatta's own actions caused: same registry,
 * repository, tag and digest, within the action's window. The overview shows the action alone:
 * who did it, through Regatta, instead of a second line by "unknown".
 */
async function ownCauses(rows: ActivityRow[]): Promise<Set<bigint>> {
  const events = rows.filter((r) => r.action.startsWith("registry.") && r.registryId && r.tag);
  if (!events.length) return new Set();
  const times = events.map((e) => e.at.getTime());
  const actions = await db.auditEvent.findMany({
    where: {
      action: { in: Object.keys(CAUSED) }, outcome: "success",
      registryId: { in: [...new Set(events.map((e) => e.registryId!))] },
      at: { gte: new Date(Math.min(...times) - OWN_EVENT_AFTER_MS), lte: new Date(Math.max(...times) + OWN_EVENT_BEFORE_MS) },
    },
    select: { at: true, action: true, registryId: true, repository: true, tag: true, digest: true, previousDigest: true },
    take: 2000,
  });
  const out = new Set<bigint>();
  for (const e of events) {
    const hit = actions.some((a) => {
      if (CAUSED[a.action] !== e.action || a.registryId !== e.registryId || a.repository !== e.repository || a.tag !== e.tag) return false;
      // a push names the digest written; a delete event may name the digest removed
      if (e.digest && e.digest !== a.digest && e.digest !== a.previousDigest) return false;
      const d = e.at.getTime() - a.at.getTime();
      return d >= -OWN_EVENT_BEFORE_MS && d <= OWN_EVENT_AFTER_MS;
    });
    if (hit) out.add(e.id);
  }
  return out;
}

export interface DailyActivity { day: string; pushes: number; promotions: number }

/** Pushes (registry events) and successful promotions, retags and rollbacks per UTC day, oldest first. */
export async function dailyActivity(days = 30, now = new Date(), scope: Prisma.Sql = Prisma.sql`TRUE`): Promise<DailyActivity[]> {
  return (await dailyActivityByRegistry(days, now, scope)).all;
}

/** The same, in total and per registry (the overview's cards): one query; `scope` (lib/auth/access.ts) keeps the asker's registries. */
export async function dailyActivityByRegistry(days = 30, now = new Date(), scope: Prisma.Sql = Prisma.sql`TRUE`): Promise<{ all: DailyActivity[]; byRegistry: Map<string, DailyActivity[]> }> {
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  const start = new Date(end - days * 86_400_000);
  const rows = await db.$queryRaw<{ day: Date; registryId: string | null; pushes: bigint; promotions: bigint }[]>`
    SELECT date_trunc('day', "at" AT TIME ZONE 'UTC') AS day, "registryId"::text AS "registryId",
           count(*) FILTER (WHERE action = 'registry.push') AS pushes,
           count(*) FILTER (WHERE action = ANY(${PROMOTION_ACTIONS}) OR action LIKE 'promotion.%') AS promotions
    FROM "AuditEvent"
    WHERE "at" >= ${start} AND outcome = 'success' AND ${scope}
      AND (action = 'registry.push' OR action = ANY(${PROMOTION_ACTIONS}) OR action LIKE 'promotion.%')
    GROUP BY 1, 2`;
  const series = () => {
    const out: DailyActivity[] = [];
    for (let t = start.getTime(); t < end; t += 86_400_000) out.push({ day: new Date(t).toISOString().slice(0, 10), pushes: 0, promotions: 0 });
    return out;
  };
  const all = series();
  const byRegistry = new Map<string, DailyActivity[]>();
  for (const r of rows) {
    const i = Math.round((new Date(r.day).getTime() - start.getTime()) / 86_400_000);
    if (i < 0 || i >= all.length) continue;
    const targets = [all];
    if (r.registryId) {
      if (!byRegistry.has(r.registryId)) byRegistry.set(r.registryId, series());
      targets.push(byRegistry.get(r.registryId)!);
    }
    for (const s of targets) {
      s[i]!.pushes += Number(r.pushes);
      s[i]!.promotions += Number(r.promotions);
    }
  }
  return { all, byRegistry };
}

export async function auditChainStatus(): Promise<ChainReport> {
  const report = await verifyAuditChain();
  metrics.auditChainIntact.set(report.intact ? 1 : 0);
  metrics.auditChainVerifiedAt.set(Date.now() / 1000);
  return report;
}

export async function auditFacets(scope?: AuditScope): Promise<{ actions: string[]; registries: { id: string; name: string }[] }> {
  const [actions, registries] = await Promise.all([
    db.auditEvent.findMany({ where: scope ? { registryId: { in: scope } } : {}, distinct: ["action"], select: { action: true }, orderBy: { action: "asc" }, take: 200 }),
    db.registry.findMany({ where: scope ? { id: { in: scope } } : {}, select: { id: true, name: true }, orderBy: { name: "asc" } }),
  ]);
  return { actions: actions.map((a) => a.action), registries };
}

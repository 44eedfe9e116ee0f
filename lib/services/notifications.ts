import "server-only";
// Notifications out. A rule = event types + registry (or any) + repository glob -> one receiver:
// a Slack-compatible incoming webhook ({ text, blocks }) or a generic webhook (JSON, signed with
// HMAC-SHA256 under a per-rule secret shown once). Every audit event the one writer commits is
// matched against the rules (notifyAudit listens to lib/audit/log.ts's commits), so no use case
// needs a call of its own; services without an audit event (a retention run) call notify().
// Each match is a NotificationDelivery row and a pg-boss job, retried with exponential backoff;
// the row is the delivery log.
//
// Receivers are hostile like any caller: http(s) only, no user:password@, no redirects followed,
// loopback / private / link-local addresses refused unless REGATTA_NOTIFY_ALLOW_PRIVATE=1, a short
// timeout, at most 4 KiB of the answer read. The URL and the secret are sealed at rest; the API,
// the UI and the logs see only a masked preview (a Slack URL's path is its secret).
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type PgBoss from "pg-boss";
import { badRequest, notFound } from "@/lib/errors";
import { onAuditCommitted, type AuditInput } from "@/lib/audit/log";
import type { Actor } from "@/lib/auth/guard";
import { BodyTooLarge, readBounded } from "@/lib/bounded-read";
import { db } from "@/lib/db";
import type { NotificationRule, Prisma } from "@/lib/generated/prisma/client";
import { GlobSyntaxError } from "@/lib/glob";
import { compileGlob } from "@/lib/glob-match";
import { classifyHost } from "@/lib/registry/address";
import {
  NOTIFICATION_EVENT_LABELS,
  deliveryQuerySchema,
  notificationRuleCreateSchema,
  notificationRuleUpdateSchema,
  type NotificationDeliveryView,
  type NotificationEvent,
  type NotificationKind,
  type NotificationRuleView,
} from "@/lib/schemas/notification";
import { open, seal } from "@/lib/secrets/envelope";
import { isId } from "@/lib/schemas/id";
import { processWide } from "@/lib/process-wide";

export const NOTIFY_QUEUE = "notification";
/** The receiver's answer is read up to this many bytes (enough to quote in the log). */
const ANSWER_MAX_BYTES = 4096;
const SIGNATURE_HEADER = "x-regatta-signature";
const TIMESTAMP_HEADER = "x-regatta-timestamp";

// ---------------------------------------------------------------- configuration

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw.trim() === "" ? fallback : Number(raw);
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}

/** Retries after the first attempt (REGATTA_NOTIFY_RETRY_LIMIT, default 5). */
export const retryLimit = () => intEnv("REGATTA_NOTIFY_RETRY_LIMIT", 5, 0, 20);
/** First retry delay in seconds, doubled (with jitter) each time by pg-boss (REGATTA_NOTIFY_RETRY_DELAY_SECONDS, default 30). */
export const retryDelaySeconds = () => intEnv("REGATTA_NOTIFY_RETRY_DELAY_SECONDS", 30, 1, 3600);
/** Per-attempt timeout (REGATTA_NOTIFY_TIMEOUT_MS, default 10 s). */
const timeoutMs = () => intEnv("REGATTA_NOTIFY_TIMEOUT_MS", 10_000, 100, 60_000);
const allowPrivate = () => process.env.REGATTA_NOTIFY_ALLOW_PRIVATE === "1";

// ---------------------------------------------------------------- secrets at rest

interface Sealed {
  url: string;
  secret?: string;
}

// bound to the rule's row (associated data), as registry credentials are to theirs
const aadId = (ruleId: string) => `notification-rule:${ruleId}`;

function sealDestination(ruleId: string, s: Sealed) {
  const x = seal(aadId(ruleId), JSON.stringify(s));
  return { sealedCiphertext: x.ciphertext, sealedNonce: x.nonce, sealedKeyId: x.keyId };
}

function openDestination(rule: Pick<NotificationRule, "id" | "sealedCiphertext" | "sealedNonce" | "sealedKeyId">): Sealed {
  return JSON.parse(open(aadId(rule.id), { ciphertext: new Uint8Array(rule.sealedCiphertext), nonce: new Uint8Array(rule.sealedNonce), keyId: rule.sealedKeyId }));
}

/** What people may see of a destination: scheme, host, port, and the path's first characters. */
export function maskUrl(raw: string): string {
  const u = new URL(raw);
  const path = u.pathname === "/" ? "" : `${u.pathname.slice(0, 4)}••••`;
  return `${u.protocol}//${u.host}${path}`;
}

const newSecret = () => `rgs_${randomBytes(32).toString("base64url")}`;

/** Refuses (400) a destination whose host is a loopback, private or link-local address, unless allowed. */
async function checkDestination(raw: string): Promise<void> {
  if (allowPrivate()) return;
  const u = new URL(raw);
  const classes = await classifyHost(u.hostname);
  const bad = classes.find((c) => c !== "public");
  if (bad) throw badRequest(`the destination ${u.host} is a ${bad} address; notifications go to public receivers only (REGATTA_NOTIFY_ALLOW_PRIVATE=1 allows others)`);
}

// ---------------------------------------------------------------- rules (admin API)

function view(r: NotificationRule): NotificationRuleView {
  return {
    id: r.id, name: r.name, kind: r.kind as NotificationKind, events: r.events as NotificationEvent[], registryId: r.registryId,
    repositoryGlob: r.repositoryGlob, urlPreview: r.urlPreview, enabled: r.enabled, createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(),
  };
}

async function ruleOr404(id: string): Promise<NotificationRule> {
  const rule = isId(id) ? await db.notificationRule.findUnique({ where: { id } }) : null;
  if (!rule) throw notFound(`notification rule ${id}`);
  return rule;
}

async function checkRegistry(registryId: string | null | undefined) {
  if (registryId && !(await db.registry.findUnique({ where: { id: registryId }, select: { id: true } }))) throw notFound(`registry ${registryId}`);
}

export async function listNotificationRules(): Promise<NotificationRuleView[]> {
  return (await db.notificationRule.findMany({ orderBy: { createdAt: "asc" } })).map(view);
}

/** Creates a rule; a WEBHOOK rule's signing secret is in this answer and never again. */
export async function createNotificationRule(actor: Actor, body: unknown): Promise<{ rule: NotificationRuleView; secret?: string }> {
  const input = notificationRuleCreateSchema.parse(body);
  await checkRegistry(input.registryId);
  await checkDestination(input.url);
  const id = randomUUID();
  const secret = input.kind === "WEBHOOK" ? newSecret() : undefined;
  const rule = await db.notificationRule.create({
    data: {
      id, name: input.name, kind: input.kind, events: input.events, registryId: input.registryId ?? null, repositoryGlob: input.repositoryGlob ?? "*",
      enabled: input.enabled ?? true, createdBy: actor.email, urlPreview: maskUrl(input.url), ...sealDestination(id, { url: input.url, secret }),
    },
  });
  const { appendAudit } = await import("@/lib/audit/log");
  await appendAudit({ actorKind: "USER", actor: actor.email, action: "notification.create", outcome: "success", registryId: rule.registryId, sourceAddress: actor.address,
    details: { ruleId: id, name: rule.name, kind: rule.kind, events: rule.events, repositoryGlob: rule.repositoryGlob, destination: rule.urlPreview } });
  return { rule: view(rule), ...(secret ? { secret } : {}) };
}

export async function updateNotificationRule(actor: Actor, id: string, body: unknown): Promise<{ rule: NotificationRuleView; secret?: string }> {
  const current = await ruleOr404(id);
  const input = notificationRuleUpdateSchema.parse(body);
  await checkRegistry(input.registryId);
  if (input.url) await checkDestination(input.url);
  if (input.rotateSecret && current.kind !== "WEBHOOK") throw badRequest("only a WEBHOOK rule has a signing secret");
  let sealed: ReturnType<typeof sealDestination> | undefined;
  let secret: string | undefined;
  if (input.url || input.rotateSecret) {
    const dest = openDestination(current);
    secret = input.rotateSecret ? newSecret() : undefined;
    sealed = sealDestination(id, { url: input.url ?? dest.url, secret: secret ?? dest.secret });
  }
  const rule = await db.notificationRule.update({
    where: { id },
    data: {
      name: input.name, events: input.events, registryId: input.registryId, repositoryGlob: input.repositoryGlob, enabled: input.enabled,
      ...(input.url ? { urlPreview: maskUrl(input.url) } : {}), ...(sealed ?? {}),
    },
  });
  const { appendAudit } = await import("@/lib/audit/log");
  await appendAudit({ actorKind: "USER", actor: actor.email, action: "notification.update", outcome: "success", registryId: rule.registryId, sourceAddress: actor.address,
    details: { ruleId: id, name: rule.name, changed: Object.keys(input).filter((k) => k !== "url"), urlChanged: !!input.url } });
  return { rule: view(rule), ...(secret ? { secret } : {}) };
}

export async function deleteNotificationRule(actor: Actor, id: string): Promise<void> {
  const rule = await ruleOr404(id);
  await db.notificationRule.delete({ where: { id } });
  const { appendAudit } = await import("@/lib/audit/log");
  await appendAudit({ actorKind: "USER", actor: actor.email, action: "notification.delete", outcome: "success", registryId: rule.registryId, sourceAddress: actor.address,
    details: { ruleId: id, name: rule.name } });
}

export async function listDeliveries(query: Record<string, string>): Promise<NotificationDeliveryView[]> {
  const q = deliveryQuerySchema.parse(query);
  const rows = await db.notificationDelivery.findMany({
    where: { ruleId: q.ruleId, state: q.state },
    orderBy: { createdAt: "desc" },
    take: q.limit ?? 50,
    include: { rule: { select: { name: true } } },
  });
  return rows.map((d) => ({
    id: d.id, ruleId: d.ruleId, ruleName: d.rule.name, event: d.event, summary: d.summary, state: d.state as NotificationDeliveryView["state"],
    attempts: d.attempts, lastStatus: d.lastStatus, lastError: d.lastError, createdAt: d.createdAt.toISOString(), deliveredAt: d.deliveredAt?.toISOString() ?? null,
  }));
}

// ---------------------------------------------------------------- events

/** An event to notify about. Services without an audit event of their own (retention runs) call notify() with one. */
export interface NotifyEvent {
  type: NotificationEvent | "test";
  registryId?: string | null;
  repository?: string | null;
  tag?: string | null;
  digest?: string | null;
  previousDigest?: string | null;
  actor?: string | null;
  outcome?: string | null;
  /** one line for people; made from the fields when absent */
  summary?: string;
  /** small, non-secret facts (promotion source and target, reason, retention counts …) */
  details?: Record<string, unknown>;
  at?: Date;
}

const PROMOTION_ACTIONS = new Set(["promote", "retag", "rollback"]);
const DETAIL_KEYS = ["source", "target", "reason", "error", "promotionId", "kind", "deleted", "kept", "bytes", "policyId", "runId", "downSince", "minutes"];

/** The notification event types an audit event stands for (none for most). */
export async function eventTypesOf(input: AuditInput): Promise<NotificationEvent[]> {
  const out: NotificationEvent[] = [];
  const moved = !!input.previousDigest && !!input.digest && input.previousDigest !== input.digest;
  if (PROMOTION_ACTIONS.has(input.action)) {
    out.push(input.outcome === "success" ? "promotion.succeeded" : input.outcome === "denied" ? "promotion.denied" : "promotion.failed");
  } else if ((input.action === "delete" || input.action === "registry.delete") && input.outcome === "success" && input.tag) {
    out.push("tag.deleted");
  } else if (input.action.startsWith("retention.") && input.action.endsWith("run")) {
    out.push("retention.run");
  } else if (input.action === "registry.down") {
    out.push("registry.down");
  }
  const pushLike = input.action === "push" || input.action === "registry.push" || (PROMOTION_ACTIONS.has(input.action) && input.outcome === "success");
  if (pushLike && moved && input.registryId && input.repository && input.tag) {
    const { protectionFor } = await import("./protection");
    const p = await protectionFor(input.registryId, input.repository, input.tag);
    if (p.reasons.length) out.push("tag.protected_moved");
  }
  return out;
}

function pick(details: Record<string, unknown> | null | undefined): Record<string, unknown> | undefined {
  if (!details) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of DETAIL_KEYS) {
    const v = details[k];
    if (v === undefined || v === null) continue;
    out[k] = typeof v === "string" ? v.slice(0, 500) : typeof v === "number" || typeof v === "boolean" ? v : undefined;
  }
  return Object.keys(out).length ? out : undefined;
}

/** Called by the audit writer after each commit, never throws (a notification must not fail an audited action). */
export async function notifyAudit(inputs: AuditInput[]): Promise<void> {
  try {
    if (!(await db.notificationRule.count({ where: { enabled: true } }))) return;
    for (const input of inputs) {
      if (input.action.startsWith("notification.")) continue;
      for (const type of await eventTypesOf(input)) {
        await notify({
          type, registryId: input.registryId, repository: input.repository, tag: input.tag, digest: input.digest, previousDigest: input.previousDigest,
          actor: input.actor, outcome: input.outcome, details: pick(input.details),
        });
      }
    }
  } catch (err) {
    console.error(`[regatta] notifications not queued: ${(err as Error).message}`);
  }
}

// every process that loads this module (the server's workers and routes) notifies on each commit
onAuditCommitted("notifications", notifyAudit);

function globMatches(glob: string, value: string): boolean {
  try {
    return compileGlob(glob).test(value);
  } catch (err) {
    if (err instanceof GlobSyntaxError) return false; // validated on input; an unreadable one sends nothing
    throw err;
  }
}

/** The rules an event matches: its type among theirs, their registry (or any), their repository glob. */
export async function matchingRules(event: NotifyEvent): Promise<NotificationRule[]> {
  const rules = await db.notificationRule.findMany({
    where: { enabled: true, events: { has: event.type }, OR: [{ registryId: null }, ...(event.registryId ? [{ registryId: event.registryId }] : [])] },
  });
  return rules.filter((r) => globMatches(r.repositoryGlob, event.repository ?? ""));
}

/**
 * Queues one delivery per matching rule and returns their ids. For other services: e.g. the
 * retention service calls notify({ type: "retention.run", registryId, repository, details: { deleted, kept, bytes } }).
 */
export async function notify(event: NotifyEvent): Promise<string[]> {
  const rules = await matchingRules(event);
  const ids: string[] = [];
  for (const rule of rules) ids.push(await enqueue(rule, event));
  return ids;
}

async function enqueue(rule: NotificationRule, event: NotifyEvent): Promise<string> {
  const registry = event.registryId ? await db.registry.findUnique({ where: { id: event.registryId }, select: { id: true, name: true } }) : null;
  const at = (event.at ?? new Date()).toISOString();
  const summary = (event.summary ?? summarize(event, registry?.name)).slice(0, 500);
  const payload = {
    type: event.type, at, summary, actor: event.actor ?? null, outcome: event.outcome ?? null,
    registry: registry ? { id: registry.id, name: registry.name } : event.registryId ? { id: event.registryId, name: null } : null,
    repository: event.repository ?? null, tag: event.tag ?? null, digest: event.digest ?? null, previousDigest: event.previousDigest ?? null,
    ...(event.details ? { details: event.details } : {}),
  };
  const delivery = await db.notificationDelivery.create({ data: { ruleId: rule.id, event: event.type, summary, payload: payload as Prisma.InputJsonObject } });
  const { boss } = await import("@/lib/jobs/boss");
  const b = await boss();
  await ensureQueue(b);
  await b.send(NOTIFY_QUEUE, { deliveryId: delivery.id }, { retryLimit: retryLimit(), retryDelay: retryDelaySeconds(), retryBackoff: true, expireInSeconds: 120 });
  return delivery.id;
}

const TITLES: Record<NotifyEvent["type"], string> = {
  ...NOTIFICATION_EVENT_LABELS,
  "promotion.succeeded": "Promoted",
  test: "Test notification",
};

function summarize(e: NotifyEvent, registryName?: string): string {
  const where = e.repository ? `${registryName ?? e.registryId ?? "?"}/${e.repository}${e.tag ? `:${e.tag}` : ""}` : registryName ?? "";
  const by = e.actor ? ` by ${e.actor}` : "";
  const src = typeof e.details?.source === "string" ? ` from ${e.details.source}` : "";
  const why = typeof e.details?.reason === "string" ? ` (${e.details.reason})` : "";
  if (e.type === "registry.down") return `${TITLES[e.type]}: ${registryName ?? e.registryId ?? "?"} unreachable for ${e.details?.minutes ?? "?"} min${why}`;
  return `${TITLES[e.type]}: ${where}${src}${by}${why}`.trim();
}

// ---------------------------------------------------------------- delivery

const gq = processWide("notifyQueue", (): { created?: Promise<void> } => ({}));

function ensureQueue(b: PgBoss): Promise<void> {
  const p = (gq.created ??= b.createQueue(NOTIFY_QUEUE).catch((e: unknown) => {
    gq.created = undefined;
    throw e;
  }));
  return p;
}

/** Slack's incoming-webhook body: `text` (the fallback, also what notifications show) and Block Kit `blocks`. */
export function slackBody(payload: { summary: string; type: string; digest?: string | null; at: string }) {
  // Slack mrkdwn: & < > are the characters to escape (https://api.slack.com/reference/surfaces/formatting#escaping)
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const context = [`\`${payload.type}\``, payload.digest ? `\`${payload.digest.slice(0, 19)}…\`` : null, payload.at].filter(Boolean).join(" · ");
  return {
    text: esc(payload.summary),
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: esc(payload.summary) } },
      { type: "context", elements: [{ type: "mrkdwn", text: esc(context) }] },
    ],
  };
}

/** The signature a receiver checks: HMAC-SHA256 over `${timestamp}.${body}` with the rule's secret, hex. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

interface Attempt {
  ok: boolean;
  status: number | null;
  error: string | null;
}

async function post(rule: NotificationRule, deliveryId: string, payload: Record<string, unknown>): Promise<Attempt> {
  let dest: Sealed;
  try {
    dest = openDestination(rule);
  } catch (err) {
    return { ok: false, status: null, error: `the destination could not be opened: ${(err as Error).message}` };
  }
  try {
    await checkDestination(dest.url);
  } catch (err) {
    return { ok: false, status: null, error: (err as Error).message };
  }
  const body = JSON.stringify(rule.kind === "SLACK" ? slackBody(payload as never) : { id: deliveryId, ...payload });
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "Regatta-Notifications/1" };
  if (rule.kind === "WEBHOOK") {
    const ts = String(Math.floor(Date.now() / 1000));
    headers[TIMESTAMP_HEADER] = ts;
    headers["x-regatta-delivery"] = deliveryId;
    headers["x-regatta-event"] = String(payload.type);
    if (dest.secret) headers[SIGNATURE_HEADER] = signature(dest.secret, ts, body);
  }
  try {
    const res = await fetch(dest.url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(timeoutMs()) });
    // read (bounded) and let go of the answer; its text is not kept: it may echo what it was sent
    await readBounded(res.body, ANSWER_MAX_BYTES, { truncate: true }).catch((e) => {
      if (!(e instanceof BodyTooLarge)) throw e;
    });
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, error: null };
    const what = res.status >= 300 && res.status < 400 ? "redirected (redirects are not followed)" : `answered ${res.status}`;
    return { ok: false, status: res.status, error: `${rule.urlPreview} ${what}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why = e.name === "TimeoutError" ? `no answer within ${timeoutMs()} ms` : e.cause?.code ?? e.name;
    // the message of a fetch error may quote the URL: only the masked preview is said
    return { ok: false, status: null, error: `${rule.urlPreview} unreachable: ${why}` };
  }
}

/**
 * One attempt of one delivery (the pg-boss handler). Throws to have pg-boss retry while retries
 * remain; on the last attempt the delivery is FAILED and the job completes.
 */
export async function deliver(deliveryId: string, retryCount: number, retriesAllowed: number): Promise<void> {
  const d = await db.notificationDelivery.findUnique({ where: { id: deliveryId }, include: { rule: true } });
  if (!d || d.state === "DELIVERED" || d.state === "FAILED") return;
  const result = await post(d.rule, d.id, d.payload as Record<string, unknown>);
  const last = retryCount >= retriesAllowed;
  await db.notificationDelivery.update({
    where: { id: d.id },
    data: {
      attempts: { increment: 1 }, lastStatus: result.status, lastError: result.error?.slice(0, 500) ?? null,
      state: result.ok ? "DELIVERED" : last ? "FAILED" : "RETRYING", deliveredAt: result.ok ? new Date() : undefined,
    },
  });
  if (!result.ok && !last) throw new Error(result.error ?? "delivery failed");
}

/** POST /notification-rules/{id}/test: one "test" event to this rule's receiver, through the same queue. */
export async function testNotificationRule(actor: Actor, id: string): Promise<{ deliveryId: string }> {
  const rule = await ruleOr404(id);
  const deliveryId = await enqueue(rule, { type: "test", actor: actor.email, summary: `Test notification from Regatta for rule “${rule.name}”, sent by ${actor.email}` });
  return { deliveryId };
}

// ---------------------------------------------------------------- registry down for N minutes

export const HEALTH_WATCH_QUEUE = "notification-registry-watch";
/** Minutes a registry must stay unreachable before "registry.down" (REGATTA_NOTIFY_DOWN_MINUTES, default 5). */
export const downMinutes = () => intEnv("REGATTA_NOTIFY_DOWN_MINUTES", 5, 0, 1440);

// When each registry was first seen unreachable by this instance, and whether that outage was told.
// Several instances may each keep their own; the audit event's key (registry + start of the
// outage, to the minute) lets the chain keep one event per outage whichever instance writes it.
const downSince = processWide("registriesDownSince", () => new Map<string, { since: Date; told: boolean }>());

/**
 * One look at the registries some enabled "registry.down" rule watches: a registry unreachable
 * (no HTTP answer at all; a 401 is not down) for at least downMinutes() gets one audit event
 * `registry.down` (from regatta), which the rules then deliver. Returns the registries told now.
 */
export async function checkRegistriesDown(now = new Date()): Promise<string[]> {
  const rules = await db.notificationRule.findMany({ where: { enabled: true, events: { has: "registry.down" } }, select: { registryId: true } });
  if (!rules.length) {
    downSince.clear();
    return [];
  }
  const all = rules.some((r) => r.registryId === null);
  const registries = await db.registry.findMany({ where: all ? {} : { id: { in: rules.map((r) => r.registryId!) } }, select: { id: true, name: true } });
  const { mapLimit } = await import("@/lib/concurrency");
  const { registryProvider } = await import("./clients");
  const told: string[] = [];
  await mapLimit(registries, 4, async (r) => {
    let reachable: boolean;
    let message: string | undefined;
    try {
      const ping = await (await registryProvider(r.id)).client.ping(AbortSignal.timeout(10_000));
      reachable = ping.status > 0;
      message = ping.message;
    } catch (err) {
      reachable = false;
      message = (err as Error).message;
    }
    if (reachable) {
      downSince.delete(r.id);
      return;
    }
    const seen = downSince.get(r.id) ?? { since: now, told: false };
    downSince.set(r.id, seen);
    const minutes = (now.getTime() - seen.since.getTime()) / 60_000;
    if (seen.told || minutes < downMinutes()) return;
    seen.told = true;
    told.push(r.id);
    const { appendAudit } = await import("@/lib/audit/log");
    await appendAudit({
      actorKind: "SYSTEM", actor: "regatta", action: "registry.down", outcome: "failure", registryId: r.id,
      eventKey: `registry.down:${r.id}:${seen.since.toISOString().slice(0, 16)}`,
      details: { downSince: seen.since.toISOString(), minutes: Math.floor(minutes), reason: (message ?? "no answer").slice(0, 200) },
    });
  });
  return told;
}

/** Registers the delivery worker (lib/services/workers.ts) and the once-a-minute registry watch. */
export async function startNotificationWorker(b: PgBoss): Promise<void> {
  await ensureQueue(b);
  await b.createQueue(HEALTH_WATCH_QUEUE, { name: HEALTH_WATCH_QUEUE, policy: "stately", retryLimit: 0 });
  await b.work(HEALTH_WATCH_QUEUE, { batchSize: 1, pollingIntervalSeconds: 5 }, async () => {
    await checkRegistriesDown();
  });
  await b.schedule(HEALTH_WATCH_QUEUE, "* * * * *");
  await b.work<{ deliveryId: string }>(NOTIFY_QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5, includeMetadata: true }, async ([job]) => {
    await deliver(job.data.deliveryId, job.retryCount, job.retryLimit);
  });
}

import "server-only";
// Registry webhooks: the per-registry secret, and ingestion of the events registries send.
//
// The secret is derived, not stored: secret = HMAC(master key, registry id + random nonce).
// The database keeps `v1$<keyId>$<nonce>$<sha256(secret)>`: a Bearer secret is checked against
// the hash alone; GitHub signs bodies with the secret itself (X-Hub-Signature-256), so for that
// check the server derives the secret again from the master key (a database copy alone is not enough).
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { OAuth2Client } from "google-auth-library";
import { appendAudit, appendAuditEvents, type ChainExtension } from "@/lib/audit/log";
import type { Actor } from "@/lib/auth/guard";
import { db } from "@/lib/db";
import { notFound, tooLarge, unauthorized, unsupported } from "@/lib/errors";
import type { RegistryKind } from "@/lib/generated/prisma/client";
import { parseWebhook, WebhookPayloadError, webhookSourceFor, type ParsedDelivery, type WebhookEvent, type WebhookSource } from "@/lib/providers/webhooks";
import { loadKeyring, type Keyring } from "@/lib/secrets/keyring";
import { processWide } from "@/lib/process-wide";
import { recordEventTags } from "./tag-history";
import { isId } from "@/lib/schemas/id";

export const WEBHOOK_BODY_LIMIT = 1024 * 1024;
/** The refusal of a body above WEBHOOK_BODY_LIMIT (the route stops reading there). */
export const webhookTooLarge = () => tooLarge(`a webhook body may be at most ${WEBHOOK_BODY_LIMIT} bytes`);
const WEBHOOK_PATH = "/api/v1/webhooks/registry";

// ---- the secret ---------------------------------------------------------------------------

let ring: Keyring | undefined;
function keyring(keyId?: string): Keyring {
  if (!ring || (keyId && !ring.keys.has(keyId))) ring = loadKeyring({ create: false });
  return ring;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

function deriveSecret(key: Buffer, registryId: string, nonce: string): string {
  return "rwh_" + createHmac("sha256", key).update(`regatta:webhook:${registryId}:${nonce}`).digest("base64url");
}

interface StoredSecret { keyId: string | null; nonce: string | null; hash: string }

function parseStored(v: string | null): StoredSecret | null {
  if (!v) return null;
  const m = /^v1\$([0-9a-f]+)\$([\w-]+)\$([0-9a-f]{64})$/.exec(v);
  if (m) return { keyId: m[1], nonce: m[2], hash: m[3] };
  return /^[0-9a-f]{64}$/.test(v) ? { keyId: null, nonce: null, hash: v } : null;
}

function equalHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export interface WebhookSecretAnswer {
  url: string;
  secret: string;
  /** for sources that cannot send headers (Docker Hub, Quay): the URL with the secret in it */
  deliveryUrl?: string;
  kind: string;
  source: WebhookSource | null;
}

/** Makes (or replaces) a registry's webhook secret. The secret is in this answer only. */
export async function createWebhookSecret(actor: Actor, registryId: string, baseUrl: string): Promise<WebhookSecretAnswer> {
  const reg = isId(registryId) ? await db.registry.findUnique({ where: { id: registryId }, omit: { webhookSecretHash: false } }) : null;
  if (!reg) throw notFound(`registry ${registryId}`);
  const key = keyring().active;
  const nonce = randomBytes(16).toString("base64url");
  const secret = deriveSecret(key.key, reg.id, nonce);
  await db.registry.update({ where: { id: reg.id }, data: { webhookSecretHash: `v1$${key.id}$${nonce}$${sha256(secret)}` } });
  const source = webhookSourceFor(reg.kind);
  await appendAudit({
    actorKind: "USER", actor: actor.email, action: "registry.webhook_secret", outcome: "success", registryId: reg.id,
    sourceAddress: actor.address, details: { name: reg.name, kind: reg.kind, replaced: reg.webhookSecretHash !== null },
  });
  const url = `${baseUrl}${WEBHOOK_PATH}/${reg.id}`;
  // Docker Hub and Quay send no headers; a Pub/Sub push without OIDC can carry the secret only in the URL
  const inUrl = SECRET_IN_URL.has(reg.kind);
  return { url, secret, kind: reg.kind, source, ...(inUrl ? { deliveryUrl: `${url}?secret=${encodeURIComponent(secret)}` } : {}) };
}

type Check = { ok: true; via: string } | { ok: false; reason: string };

const SECRET_IN_URL = new Set(["DOCKERHUB", "QUAY", "GOOGLE"]);

/** Google's keys for the OIDC tokens Pub/Sub push sends (PEM, by key id); tests point it at a loopback server. */
export const GOOGLE_OIDC_CERTS_URL_DEFAULT = "https://www.googleapis.com/oauth2/v1/certs";
let oidcClient: { url: string; client: OAuth2Client } | undefined;
function googleOidc(): OAuth2Client {
  const url = process.env.REGATTA_GOOGLE_OIDC_CERTS_URL || GOOGLE_OIDC_CERTS_URL_DEFAULT;
  if (oidcClient?.url !== url) oidcClient = { url, client: new OAuth2Client({ endpoints: { oauth2FederatedSignonPemCertsUrl: url } }) };
  return oidcClient.client;
}

/**
 * A Pub/Sub push's OIDC token (Authorization: Bearer <JWT>): signed by Google (keys above), unexpired, issued by
 * accounts.google.com, and its audience is this registry's webhook secret (what the subscription was told to use
 * as --push-auth-token-audience): a token Google minted for anyone else's subscription does not pass.
 */
async function checkGoogleToken(stored: StoredSecret, token: string): Promise<Check> {
  let aud: unknown;
  try {
    const ticket = await googleOidc().verifyIdToken({ idToken: token });
    aud = ticket.getPayload()?.aud;
  } catch (e) {
    return { ok: false, reason: `OIDC token refused: ${(e instanceof Error ? e.message : String(e)).slice(0, 120)}` };
  }
  if (typeof aud !== "string" || !aud) return { ok: false, reason: "OIDC token without audience" };
  return equalHex(sha256(aud), stored.hash) ? { ok: true, via: "oidc" } : { ok: false, reason: "OIDC token for another audience" };
}

async function checkSecret(kind: string, registryId: string, stored: StoredSecret | null, d: WebhookDelivery): Promise<Check> {
  if (!stored) return { ok: false, reason: "no webhook secret is set for this registry" };
  if (kind === "GHCR") {
    const sig = d.headers.get("x-hub-signature-256");
    if (!sig) return { ok: false, reason: "missing X-Hub-Signature-256" };
    if (!stored.keyId || !stored.nonce) return { ok: false, reason: "the stored secret cannot check signatures: make a new one" };
    const k = keyring(stored.keyId).keys.get(stored.keyId);
    if (!k) return { ok: false, reason: `master key ${stored.keyId} is not configured: make a new webhook secret` };
    const secret = deriveSecret(k.key, registryId, stored.nonce);
    if (!equalHex(sha256(secret), stored.hash)) return { ok: false, reason: "stored secret does not match its derivation" };
    const want = createHmac("sha256", secret).update(d.body).digest("hex");
    const got = /^sha256=([0-9a-f]{64})$/i.exec(sig.trim())?.[1]?.toLowerCase() ?? "";
    return equalHex(want, got) ? { ok: true, via: "signature" } : { ok: false, reason: "bad X-Hub-Signature-256" };
  }
  const authorization = d.headers.get("authorization") ?? "";
  const bearer = authorization.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  // Docker Hub and Quay cannot send headers, nor Pub/Sub without OIDC: the secret comes in the URL
  const query = SECRET_IN_URL.has(kind) ? d.secretParam : null;
  if (kind === "GOOGLE" && bearer && !query) {
    if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(bearer)) return { ok: false, reason: "the bearer is not an OIDC token" };
    return checkGoogleToken(stored, bearer);
  }
  // an EventBridge connection authenticates with an API-key header (Authorization: Bearer …) or Basic (any user, the secret as password)
  const basic = kind === "ECR" ? basicPassword(authorization) : null;
  const presented = bearer ?? basic ?? query;
  if (!presented) {
    return { ok: false, reason: SECRET_IN_URL.has(kind) ? "missing ?secret= or Authorization: Bearer" : kind === "ECR" ? "missing Authorization: Bearer or Basic" : "missing Authorization: Bearer" };
  }
  return equalHex(sha256(presented), stored.hash) ? { ok: true, via: bearer ? "bearer" : basic ? "basic" : "query" } : { ok: false, reason: "wrong secret" };
}

function basicPassword(authorization: string): string | null {
  const b64 = authorization.match(/^Basic\s+([A-Za-z0-9+/=]{1,1024})\s*$/i)?.[1];
  if (!b64) return null;
  const pair = Buffer.from(b64, "base64").toString("utf8");
  const colon = pair.indexOf(":");
  return colon >= 0 && colon < pair.length - 1 ? pair.slice(colon + 1) : null;
}

// ---- ingestion ----------------------------------------------------------------------------

export interface DeliveryResult {
  accepted: number;
  duplicates: number;
  ignored: number;
  /** the vendor's test delivery (GitHub ping, Quay "Test Notification"), recorded as webhook.test */
  test?: true;
  /** why an authenticated delivery could not be read (recorded as webhook.unreadable; answered 2xx so the sender does not retry for ever) */
  unreadable?: string;
}

/** One delivery as its route read it: the headers, the body (at most WEBHOOK_BODY_LIMIT bytes), and the URL's ?secret=. */
export interface WebhookDelivery {
  headers: Headers;
  body: Buffer;
  secretParam: string | null;
}

interface WebhookRegistry { id: string; kind: RegistryKind; webhookSecretHash: string | null; endpoint: string; namespace: string | null }
type Waiter = (r: WebhookRegistry | null, e?: unknown) => void;

// Deliveries in flight share their registry lookups: one query per round instead of one per
// delivery under a burst, and still read fresh (a changed secret counts at once).
const lookups = processWide("webhookLookups", () => ({ waiting: new Map<string, Waiter[]>(), busy: false }));

function findRegistry(id: string): Promise<WebhookRegistry | null> {
  return new Promise((resolve, reject) => {
    const list = lookups.waiting.get(id) ?? [];
    lookups.waiting.set(id, list);
    list.push((r, e) => (e === undefined ? resolve(r) : reject(e)));
    if (!lookups.busy) {
      lookups.busy = true;
      setImmediate(() => void runLookups());
    }
  });
}

async function runLookups() {
  try {
    while (lookups.waiting.size > 0) {
      const round = lookups.waiting;
      lookups.waiting = new Map();
      try {
        const rows = await db.$queryRaw<WebhookRegistry[]>`SELECT "id", "kind", "webhookSecretHash", "endpoint", "namespace" FROM "Registry" WHERE "id" = ANY(${[...round.keys()]}::uuid[])`;
        const byId = new Map(rows.map((r) => [r.id, r]));
        for (const [id, waiters] of round) for (const w of waiters) w(byId.get(id) ?? null);
      } catch (e) {
        for (const waiters of round.values()) for (const w of waiters) w(null, e ?? new Error("registry lookup failed"));
      }
    }
  } finally {
    lookups.busy = false;
  }
}

/**
 * Handles one delivery: authenticate, parse, append one audit event per new event, track tags.
 * `caller` is the sender's address. The route reads the body (bounded) and the URL.
 */
export async function receiveWebhook(registryId: string, delivery: WebhookDelivery, caller: string | null): Promise<DeliveryResult> {
  const raw = delivery.body;
  if (raw.length > WEBHOOK_BODY_LIMIT) throw webhookTooLarge();
  const reg = isId(registryId) ? await findRegistry(registryId) : null;
  const check: Check = reg ? await checkSecret(reg.kind, reg.id, parseStored(reg.webhookSecretHash), delivery) : { ok: false, reason: "unknown registry" };
  if (!check.ok) {
    await recordRejection(reg?.id ?? null, registryId, caller, check.reason);
    // an unknown registry answers like a wrong secret: callers learn nothing about which ids exist
    throw unauthorized("the webhook secret is missing or wrong");
  }
  const source = webhookSourceFor(reg!.kind);
  if (!source) throw unsupported(`${reg!.kind} registries send no webhooks Regatta reads`);
  // From here the sender is authenticated. Senders retry every non-2xx answer (registry:2 for ever, its queue
  // waiting behind it), so what cannot be read is recorded (webhook.unreadable) and answered 2xx.
  let parsed: ParsedDelivery;
  try {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new WebhookPayloadError("the webhook body is not valid JSON");
    }
    parsed = parseWebhook(source, body, delivery.headers, { endpoint: reg!.endpoint, namespace: reg!.namespace });
    // PostgreSQL stores no NUL in text or jsonb: refuse the delivery rather than fail the batch it joins
    if (hasNul(parsed.events)) throw new WebhookPayloadError("the webhook carries a NUL character (\\u0000), which cannot be stored");
  } catch (e) {
    if (!(e instanceof WebhookPayloadError)) throw e;
    return recordUnreadable(reg!.id, source, caller, raw, e.message);
  }
  const result: DeliveryResult = { accepted: 0, duplicates: 0, ignored: parsed.ignored };
  if (parsed.test) {
    await recordTest(reg!.id, source, caller, parsed.test.what, raw);
    result.test = true;
  }
  const events = await withoutBlobDeletes(reg!.id, parsed.events);
  result.ignored += parsed.events.length - events.length;
  if (events.length === 0) return result;
  // queued with every other delivery in flight: one transaction, lock and INSERT per batch (lib/audit/log)
  const inserted = await appendAuditEvents(events.map((ev) => ({
    meta: ev,
    input: {
      actorKind: "REGISTRY", actor: ev.actor, action: `registry.${ev.action}`, outcome: "success",
      registryId: reg!.id, repository: ev.repository, tag: ev.tag, digest: ev.digest,
      sourceAddress: ev.clientAddress ?? null,
      eventKey: ev.id ? `${reg!.id}:${ev.id}` : null,
      details: {
        source: ev.source, eventId: ev.id, eventAt: ev.at?.toISOString() ?? null, deliveredFrom: caller,
        ...(ev.mediaType ? { mediaType: ev.mediaType } : {}), ...(ev.size != null ? { size: ev.size } : {}),
        ...(ev.wholeArtifact ? { wholeArtifact: true } : {}),
      },
    },
  })), recordEventTags);
  for (const ok of inserted) ok ? result.accepted++ : result.duplicates++;
  return result;
}

/**
 * registry:2 (2.8) writes a manifest delete and a blob delete alike ({ repository, digest }): keep such a delete
 * only when Regatta knows the digest as a manifest of this registry (a tag on it now or before, or a manifest read).
 */
async function withoutBlobDeletes(registryId: string, events: WebhookEvent[]): Promise<WebhookEvent[]> {
  const unsure = events.filter((e) => e.ambiguousDelete && e.digest);
  if (unsure.length === 0) return events.filter((e) => !e.ambiguousDelete);
  const digests = [...new Set(unsure.map((e) => e.digest!))];
  const rows = await db.$queryRaw<{ repository: string | null; digest: string }[]>`
    SELECT DISTINCT "repository", "digest" FROM "TagRecord" WHERE "registryId" = ${registryId}::uuid AND "digest" = ANY(${digests}::text[])
    UNION SELECT DISTINCT "repository", "digest" FROM "TagChange" WHERE "registryId" = ${registryId}::uuid AND ("digest" = ANY(${digests}::text[]) OR "previousDigest" = ANY(${digests}::text[]))
    UNION SELECT NULL, "digest" FROM "ManifestInfo" WHERE "digest" = ANY(${digests}::text[])`;
  const known = new Set(rows.map((r) => (r.repository === null ? r.digest : JSON.stringify([r.repository, r.digest]))));
  return events.filter((e) => !e.ambiguousDelete || (e.digest && (known.has(e.digest) || known.has(JSON.stringify([e.repository, e.digest])))));
}

async function recordUnreadable(registryId: string, source: WebhookSource, caller: string | null, raw: Buffer, reason: string): Promise<DeliveryResult> {
  // a retry of the same bytes is the same event
  const key = `${registryId}:unreadable:${createHash("sha256").update(raw).digest("hex").slice(0, 32)}`;
  await appendAudit({
    actorKind: "REGISTRY", actor: "unknown", action: "webhook.unreadable", outcome: "failure", registryId,
    sourceAddress: caller, eventKey: key, details: { source, reason: reason.slice(0, 300), bytes: raw.length },
  });
  return { accepted: 0, duplicates: 0, ignored: 0, unreadable: reason };
}

async function recordTest(registryId: string, source: WebhookSource, caller: string | null, what: string, raw: Buffer) {
  const key = `${registryId}:test:${createHash("sha256").update(raw).digest("hex").slice(0, 16)}:${Math.floor(Date.now() / 60_000)}`;
  await appendAudit({
    actorKind: "REGISTRY", actor: "unknown", action: "webhook.test", outcome: "success", registryId,
    sourceAddress: caller, eventKey: key, details: { source, what },
  });
}

// A flood of bad calls must not flood the log. Per minute: one event per (registry, caller address), one for ALL
// unknown ids from an address (each forged id used to add one), and at most REJECTIONS_PER_MINUTE in all (forged
// addresses); what is not written is counted and reported by the next event written. The address is the one
// the route is given (app/api/v1/webhooks/registry/[registryId]/handler.ts webhookRoute → clientAddress in lib/auth/actor.ts).
export const REJECTIONS_PER_MINUTE = 60;
const rejections = processWide("webhookRejections", () => ({ minute: 0, keys: new Set<string>(), suppressed: 0 }));

async function recordRejection(registryId: string | null, claimedId: string, caller: string | null, reason: string) {
  const minute = Math.floor(Date.now() / 60_000);
  // the id comes from the URL: PostgreSQL stores no NUL and jsonb no lone surrogate
  const claimed = claimedId.slice(0, 64).toWellFormed().replace(/\u0000/g, "\ufffd");
  if (rejections.minute !== minute) {
    rejections.minute = minute;
    rejections.keys.clear();
  }
  const key = `webhook.rejected:${registryId ?? "unknown"}:${(caller ?? "-").slice(0, 64)}:${minute}`;
  if (rejections.keys.has(key) || rejections.keys.size >= REJECTIONS_PER_MINUTE) {
    rejections.suppressed++;
    return;
  }
  rejections.keys.add(key);
  const suppressed = rejections.suppressed;
  rejections.suppressed = 0;
  await appendAudit({
    actorKind: "REGISTRY", actor: "unknown", action: "webhook.rejected", outcome: "denied", registryId,
    sourceAddress: caller, eventKey: key,
    details: { reason, ...(registryId ? {} : { registryId: claimed, unknownIdsAggregated: true }), ...(suppressed ? { suppressedBefore: suppressed } : {}) },
  });
}

function hasNul(v: unknown): boolean {
  if (typeof v === "string") return v.includes("\u0000");
  if (v && typeof v === "object") return Object.values(v).some(hasNul);
  return false;
}


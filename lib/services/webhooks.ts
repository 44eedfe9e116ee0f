import "server-only";
// Registry webhooks: the per-registry secret, and ingestion of the events registries send.
//
// The secret is derived, not stored: secret = HMAC(master key, registry id + random nonce).
// The database keeps `v1$<keyId>$<nonce>$<sha256(secret)>`: a Bearer secret is checked against
// the hash alone; GitHub signs bodies with the secret itself (X-Hub-Signature-256), so for that
// check the server derives the secret again from the master key (a database copy alone is not enough).
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { ApiError, notFound } from "@/lib/api/errors";
import { appendAudit, withAuditChain, type AuditTx } from "@/lib/audit/log";
import type { Actor } from "@/lib/auth/guard";
import { db } from "@/lib/db";
import { parseWebhook, WebhookPayloadError, webhookSourceFor, type WebhookEvent, type WebhookSource } from "@/lib/providers/webhooks";
import { loadKeyring, type Keyring } from "@/lib/secrets/keyring";

export const WEBHOOK_BODY_LIMIT = 1024 * 1024;
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

/** The public origin Regatta is reached at: AUTH_URL when set, else what the request came in on. */
export function publicBaseUrl(req: Request): string {
  if (process.env.AUTH_URL) {
    try {
      return new URL(process.env.AUTH_URL).origin;
    } catch { /* fall through to the request */ }
  }
  const h = req.headers;
  const host = h.get("x-forwarded-host")?.split(",")[0]?.trim() || h.get("host") || new URL(req.url).host;
  const proto = h.get("x-forwarded-proto")?.split(",")[0]?.trim() || new URL(req.url).protocol.replace(":", "");
  return `${proto}://${host}`;
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
  const reg = isUuid(registryId) ? await db.registry.findUnique({ where: { id: registryId }, omit: { webhookSecretHash: false } }) : null;
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
  const inUrl = reg.kind === "DOCKERHUB" || reg.kind === "QUAY";
  return { url, secret, kind: reg.kind, source, ...(inUrl ? { deliveryUrl: `${url}?secret=${encodeURIComponent(secret)}` } : {}) };
}

type Check = { ok: true; via: string } | { ok: false; reason: string };

function checkSecret(kind: string, registryId: string, stored: StoredSecret | null, req: Request, raw: Buffer): Check {
  if (!stored) return { ok: false, reason: "no webhook secret is set for this registry" };
  if (kind === "GHCR") {
    const sig = req.headers.get("x-hub-signature-256");
    if (!sig) return { ok: false, reason: "missing X-Hub-Signature-256" };
    if (!stored.keyId || !stored.nonce) return { ok: false, reason: "the stored secret cannot check signatures: make a new one" };
    const k = keyring(stored.keyId).keys.get(stored.keyId);
    if (!k) return { ok: false, reason: `master key ${stored.keyId} is not configured: make a new webhook secret` };
    const secret = deriveSecret(k.key, registryId, stored.nonce);
    if (!equalHex(sha256(secret), stored.hash)) return { ok: false, reason: "stored secret does not match its derivation" };
    const want = createHmac("sha256", secret).update(raw).digest("hex");
    const got = /^sha256=([0-9a-f]{64})$/i.exec(sig.trim())?.[1]?.toLowerCase() ?? "";
    return equalHex(want, got) ? { ok: true, via: "signature" } : { ok: false, reason: "bad X-Hub-Signature-256" };
  }
  const bearer = req.headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  // Docker Hub and Quay cannot send headers: the secret comes in the URL
  const query = kind === "DOCKERHUB" || kind === "QUAY" ? new URL(req.url).searchParams.get("secret") : null;
  const presented = bearer ?? query;
  if (!presented) return { ok: false, reason: kind === "DOCKERHUB" || kind === "QUAY" ? "missing ?secret= or Authorization: Bearer" : "missing Authorization: Bearer" };
  return equalHex(sha256(presented), stored.hash) ? { ok: true, via: bearer ? "bearer" : "query" } : { ok: false, reason: "wrong secret" };
}

// ---- ingestion ----------------------------------------------------------------------------

export interface DeliveryResult { accepted: number; duplicates: number; ignored: number }

async function readLimited(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!req.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

const tooLarge = (limit: number) => new ApiError(413, "PAYLOAD_TOO_LARGE", `a webhook body may be at most ${limit} bytes`);

/** Handles one delivery: authenticate, parse, append one audit event per new event, track tags. `caller` is the sender's address. */
export async function receiveWebhook(registryId: string, req: Request, caller: string | null): Promise<DeliveryResult> {
  const reg = isUuid(registryId) ? await db.registry.findUnique({ where: { id: registryId }, omit: { webhookSecretHash: false } }) : null;
  const raw = await readLimited(req, WEBHOOK_BODY_LIMIT);
  const check: Check = reg ? checkSecret(reg.kind, reg.id, parseStored(reg.webhookSecretHash), req, raw) : { ok: false, reason: "unknown registry" };
  if (!check.ok) {
    await recordRejection(reg?.id ?? null, registryId, caller, check.reason);
    // an unknown registry answers like a wrong secret: callers learn nothing about which ids exist
    throw new ApiError(401, "UNAUTHENTICATED", "the webhook secret is missing or wrong");
  }
  const source = webhookSourceFor(reg!.kind);
  if (!source) throw new ApiError(422, "UNSUPPORTED", `${reg!.kind} registries send no webhooks Regatta reads`);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new ApiError(400, "BAD_REQUEST", "the webhook body is not valid JSON");
  }
  let parsed;
  try {
    parsed = parseWebhook(source, body, req.headers);
  } catch (e) {
    if (e instanceof WebhookPayloadError) throw new ApiError(400, "BAD_REQUEST", e.message);
    throw e;
  }
  const result: DeliveryResult = { accepted: 0, duplicates: 0, ignored: parsed.ignored };
  if (parsed.events.length === 0) return result;
  // a retry of a delivery already recorded needs neither the chain lock nor a transaction
  const keys = parsed.events.map((ev) => (ev.id ? `${reg!.id}:${ev.id}` : null));
  if (keys.every((k) => k !== null)) {
    const known = await db.auditEvent.count({ where: { eventKey: { in: keys as string[] } } });
    if (known === new Set(keys).size) return { ...result, duplicates: keys.length };
  }
  await withAuditChain(async (tx, append) => {
    for (const ev of parsed.events) {
      const record = ev.tag
        ? await tx.tagRecord.findUnique({ where: { registryId_repository_tag: { registryId: reg!.id, repository: ev.repository, tag: ev.tag } } })
        : null;
      const inserted = await append({
        actorKind: "REGISTRY", actor: ev.actor, action: `registry.${ev.action}`, outcome: "success",
        registryId: reg!.id, repository: ev.repository, tag: ev.tag, digest: ev.digest,
        previousDigest: record && record.digest !== ev.digest ? record.digest : null,
        sourceAddress: ev.clientAddress ?? null,
        eventKey: ev.id ? `${reg!.id}:${ev.id}` : null,
        details: {
          source: ev.source, eventId: ev.id, eventAt: ev.at?.toISOString() ?? null, deliveredFrom: caller,
          ...(ev.mediaType ? { mediaType: ev.mediaType } : {}), ...(ev.size != null ? { size: ev.size } : {}),
        },
      });
      if (!inserted) {
        result.duplicates++;
        continue;
      }
      result.accepted++;
      await trackTag(tx, reg!.id, ev, record);
    }
  });
  return result;
}

type TagRow = Awaited<ReturnType<AuditTx["tagRecord"]["findUnique"]>>;

// Tag history from events: a push moves the tag (TagRecord + TagChange), a tag delete removes it.
async function trackTag(tx: AuditTx, registryId: string, ev: WebhookEvent, record: TagRow) {
  if (!ev.tag) return;
  const key = { registryId_repository_tag: { registryId, repository: ev.repository, tag: ev.tag } };
  const now = new Date();
  const pushedBy = ev.actor === "unknown" ? null : ev.actor;
  if (ev.action === "push") {
    if (!ev.digest) {
      // Docker Hub and Quay name no digest: keep who and when for a tag we already know
      if (record) await tx.tagRecord.update({ where: key, data: { pushedAt: ev.at ?? now, pushedBy } });
      return;
    }
    const moved = record?.digest !== ev.digest;
    await tx.tagRecord.upsert({
      where: key,
      create: { registryId, repository: ev.repository, tag: ev.tag, digest: ev.digest, changedAt: now, checkedAt: now, pushedAt: ev.at ?? now, pushedBy },
      update: { digest: ev.digest, checkedAt: now, pushedAt: ev.at ?? now, pushedBy, ...(moved ? { changedAt: now } : {}) },
    });
    if (moved) {
      await tx.tagChange.create({
        data: { registryId, repository: ev.repository, tag: ev.tag, digest: ev.digest, previousDigest: record?.digest ?? null, at: ev.at ?? now, source: "EVENT", actor: pushedBy },
      });
    }
  } else if (record) {
    await tx.tagRecord.delete({ where: key });
    await tx.tagChange.create({
      data: { registryId, repository: ev.repository, tag: ev.tag, digest: null, previousDigest: record.digest, at: ev.at ?? now, source: "EVENT", actor: pushedBy },
    });
  }
}

// A flood of bad calls must not flood the log: one event per registry, caller and minute.
async function recordRejection(registryId: string | null, claimedId: string, caller: string | null, reason: string) {
  const minute = Math.floor(Date.now() / 60_000);
  await appendAudit({
    actorKind: "REGISTRY", actor: "unknown", action: "webhook.rejected", outcome: "denied", registryId,
    sourceAddress: caller, eventKey: `webhook.rejected:${claimedId.slice(0, 64)}:${caller ?? "-"}:${minute}`,
    details: { reason, ...(registryId ? {} : { registryId: claimedId.slice(0, 64) }) },
  });
}

function isUuid(s: string) {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

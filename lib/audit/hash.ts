// The hash chain of the audit log: each event's hash covers its fields and the previous hash.
//
// Two versions, told apart by the stored hash itself:
//   v1  64 hex digits: SHA-256(prev "\n" fields). Events written before keyed chains; anyone
//       with the database could recompute them after a change.
//   v2  "h2.<keyId>.<64 hex>": HMAC-SHA-256 under a key derived from the master key <keyId>
//       (lib/audit/keys.ts), which the database does not hold: a changed event cannot be given a
//       matching hash without the data directory's key. Once a chain has a v2 event, every later
//       event must be v2 (verify refuses a v1 event after it: no downgrade).
import { createHash, createHmac } from "node:crypto";
import type { AuditColumns } from "@/lib/schemas/audit";

export const GENESIS_HASH = "0".repeat(64);

/** What the hash covers: the event's columns, its time and kind of actor, and its details. */
export interface ChainedFields extends AuditColumns {
  at: Date;
  actorKind: string;
  details: unknown;
}

// PostgreSQL's jsonb reorders object keys: hash a form with sorted keys
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function body(e: ChainedFields): string {
  return canonicalJson([
    e.at.toISOString(), e.actorKind, e.actor, e.action, e.registryId, e.repository, e.tag,
    e.digest, e.previousDigest, e.sourceAddress, e.outcome, e.details ?? null,
  ]);
}

/** v1: unkeyed (legacy events only; new events are keyed). */
export function eventHash(prevHash: string, e: ChainedFields): string {
  return createHash("sha256").update(prevHash).update("\n").update(body(e)).digest("hex");
}

export interface ChainKey {
  id: string;
  key: Buffer;
}

/** v2: keyed with a key the database does not hold. */
export function keyedEventHash(prevHash: string, e: ChainedFields, k: ChainKey): string {
  return `h2.${k.id}.${createHmac("sha256", k.key).update(prevHash).update("\n").update(body(e)).digest("hex")}`;
}

/** The key id a stored v2 hash names, or null for a v1 hash. */
export function hashKeyId(hash: string): string | null {
  const m = /^h2\.([0-9a-f]{16})\.[0-9a-f]{64}$/.exec(hash);
  return m ? m[1]! : null;
}

// The hash chain of the audit log: each event's hash covers its fields and the previous hash.
import { createHash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

export interface ChainedFields {
  at: Date;
  actorKind: string;
  actor: string;
  action: string;
  registryId: string | null;
  repository: string | null;
  tag: string | null;
  digest: string | null;
  previousDigest: string | null;
  sourceAddress: string | null;
  outcome: string;
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

export function eventHash(prevHash: string, e: ChainedFields): string {
  const body = canonicalJson([
    e.at.toISOString(), e.actorKind, e.actor, e.action, e.registryId, e.repository, e.tag,
    e.digest, e.previousDigest, e.sourceAddress, e.outcome, e.details ?? null,
  ]);
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}

// What every webhook parser turns a vendor's payload into: registry events in one shape.
// Parsers are pure (no database, no Next): body + headers + what the registry is configured as in, events out.
import { createHash } from "node:crypto";

export interface WebhookEvent {
  /** the source's own id for the event, or one made from its content; null only when nothing stable can be derived */
  id: string | null;
  action: "push" | "delete";
  repository: string;
  tag: string | null;
  digest: string | null;
  /** who did it, as the source names them; "unknown" when the payload does not say (never guessed) */
  actor: string;
  /** when the source says it happened */
  at: Date | null;
  mediaType?: string | null;
  size?: number | null;
  /** the address of the client that pushed, when the source tells */
  clientAddress?: string | null;
  source: WebhookSource;
  /**
   * A delete of the whole artifact (Harbor DELETE_ARTIFACT, ECR/Google delete by digest): every tag
   * Regatta knows on `digest` in this repository is gone, whatever tag the payload names.
   */
  wholeArtifact?: boolean;
  /**
   * A registry:2 delete of `{ repository, digest }` without a media type: distribution 2.8 sends
   * manifest and blob deletes in exactly this shape (notifications/bridge.go), so the service decides
   * by what it knows of the digest; it never records an image deletion for a blob.
   */
  ambiguousDelete?: boolean;
}

export type WebhookSource = "distribution" | "harbor" | "dockerhub" | "github" | "quay" | "ecr" | "google";

export interface ParsedDelivery {
  events: WebhookEvent[];
  /** events in the payload that are not pushes or deletes of tags and manifests (pulls, HEADs, blobs, pings …) */
  ignored: number;
  /** the vendor's own test delivery (GitHub ping, Quay "Test Notification"): recorded as a webhook test, never as a push */
  test?: { what: string };
}

/** What the registry is configured as, for parsers that must tell its events from others on the same channel. */
export interface WebhookContext {
  /** the registry's /v2 endpoint (Google: the host the image paths start with; ECR: account and region) */
  endpoint?: string | null;
  /** the registry's namespace (Quay: the organisation; Google: project/repository) */
  namespace?: string | null;
}

export class WebhookPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookPayloadError";
  }
}

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);
export const DIGEST_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
/** A digest as the OCI spec allows it; sha256 and sha512 must have their exact hex length (vendors' examples do not always). */
export const digestOrNull = (v: unknown): string | null => {
  const s = str(v);
  if (!s || !DIGEST_RE.test(s)) return null;
  if (s.startsWith("sha256:") && !/^sha256:[0-9a-f]{64}$/.test(s)) return null;
  if (s.startsWith("sha512:") && !/^sha512:[0-9a-f]{128}$/.test(s)) return null;
  return s;
};

// No registry event happened before this; Go's zero time (0001-01-01T00:00:00Z) and Unix 0 mean "not set".
const EARLIEST = Date.UTC(1990, 0, 1);

/** Unix seconds (Docker Hub, Harbor) or RFC 3339 (distribution) to a Date; null for unset or impossible times. */
export function timeOf(v: unknown): Date | null {
  let d: Date | null = null;
  if (typeof v === "number" && Number.isFinite(v)) d = new Date(v < 1e12 ? v * 1000 : v);
  else {
    const s = str(v);
    if (s) d = new Date(s);
  }
  if (!d || Number.isNaN(d.getTime()) || d.getTime() < EARLIEST) return null;
  return d;
}

/** A stable key from an event's content, for sources that send no id of their own (or a new one per retry). */
export function contentKey(prefix: string, parts: unknown[]): string {
  return `${prefix}-${createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32)}`;
}

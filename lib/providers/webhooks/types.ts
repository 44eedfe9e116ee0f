// What every webhook parser turns a vendor's payload into: registry events in one shape.
// Parsers are pure (no database, no Next): body + headers in, events out.

export interface WebhookEvent {
  /** the source's own id for the event, or one made from its content; null when the payload has none that is stable */
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
}

export type WebhookSource = "distribution" | "harbor" | "dockerhub" | "github" | "quay";

export interface ParsedDelivery {
  events: WebhookEvent[];
  /** events in the payload that are not pushes or deletes of tags and manifests (pulls, HEADs, blobs, pings …) */
  ignored: number;
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
export const digestOrNull = (v: unknown): string | null => {
  const s = str(v);
  return s && DIGEST_RE.test(s) ? s : null;
};
/** Unix seconds (Docker Hub, Harbor) or RFC 3339 (distribution) to a Date. */
export function timeOf(v: unknown): Date | null {
  if (typeof v === "number" && Number.isFinite(v)) return new Date(v < 1e12 ? v * 1000 : v);
  const s = str(v);
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

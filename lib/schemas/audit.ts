// One audit event as the API answers it, and the audit log's query: shared by the service and the browser.
import { z } from "zod";
import { DIGEST_MAX, REPOSITORY_MAX, repositoryName, TAG_MAX, tagName } from "./names";

export const AUDIT_PAGE_MAX = 500;

// PostgreSQL compares no text with a NUL in it: refused here rather than failed there
const noNul = (v: string) => !v.includes("\u0000");
const optional = z.string().trim().max(512).refine(noNul, "may not contain NUL").optional().transform((v) => (v ? v : undefined));
const time = z.string().trim().optional().transform((v, ctx) => {
  if (!v) return undefined;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: "custom", message: "not a date or time (use ISO 8601, e.g. 2026-01-31 or 2026-01-31T12:00:00Z)" });
    return z.NEVER;
  }
  return d;
});

export const auditQuerySchema = z.object({
  actor: optional,
  /** exact, or a prefix ending in "*" ("registry.*"); several separated by commas */
  action: optional,
  registryId: z.string().uuid("registryId must be a registry id").optional().or(z.literal("").transform(() => undefined)),
  // filters: the OCI limits (lib/schemas/names.ts), not the grammar, since they may be partial
  repository: z.string().trim().max(REPOSITORY_MAX, `repository is at most ${REPOSITORY_MAX} characters`).refine(noNul, "may not contain NUL").optional().transform((v) => (v ? v : undefined)),
  tag: z.string().trim().max(TAG_MAX, `tag is at most ${TAG_MAX} characters`).refine(noNul, "may not contain NUL").optional().transform((v) => (v ? v : undefined)),
  digest: z.string().trim().max(DIGEST_MAX, `digest is at most ${DIGEST_MAX} characters`).refine(noNul, "may not contain NUL").optional().transform((v) => (v ? v : undefined)),
  outcome: z.enum(["success", "failure", "denied"]).optional().or(z.literal("").transform(() => undefined)),
  since: time,
  until: time,
  cursor: z.string().regex(/^\d{1,19}$/, "cursor must be an event id from nextCursor").optional().or(z.literal("").transform(() => undefined)),
  limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX, `limit is at most ${AUDIT_PAGE_MAX}`).default(100),
  format: z.enum(["json", "csv"]).optional(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

/** The columns of one audit event that read the same in the database, the hash chain and the API. */
export interface AuditColumns {
  actor: string;
  action: string;
  registryId: string | null;
  repository: string | null;
  tag: string | null;
  digest: string | null;
  previousDigest: string | null;
  sourceAddress: string | null;
  outcome: string;
}

export interface AuditEventView extends AuditColumns {
  id: string;
  at: string;
  actorKind: "USER" | "REGISTRY" | "SYSTEM";
  details?: unknown;
}

/** One line of the overview's recent activity: a tag change, without the audit log's private parts. */
export type ActivityItem = Pick<AuditEventView, "id" | "at" | "actor" | "action" | "registryId" | "repository" | "tag" | "digest" | "previousDigest"> & {
  /** e.g. "sync", "browse": how Regatta learned of it, when it did not do it itself */
  observedBy?: string;
  /** filled in by the page */
  registryName?: string;
};

/** GET /api/v1/audit/last-push: one tag of one registry. */
export const lastPushQuery = z.object({ registryId: z.string().uuid("registryId must be a registry id"), repository: repositoryName, tag: tagName });

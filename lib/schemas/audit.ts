// One audit event as the API answers it: shared by the service and the browser.
export interface AuditEventView {
  id: string;
  at: string;
  actorKind: "USER" | "REGISTRY" | "SYSTEM";
  actor: string;
  action: string;
  registryId: string | null;
  repository: string | null;
  tag: string | null;
  digest: string | null;
  previousDigest: string | null;
  outcome: string;
  sourceAddress: string | null;
  details?: unknown;
}

/** One line of the overview's recent activity: a tag change, without the audit log's private parts. */
export type ActivityItem = Pick<AuditEventView, "id" | "at" | "actor" | "action" | "registryId" | "repository" | "tag" | "digest" | "previousDigest"> & {
  /** e.g. "sync", "browse": how Regatta learned of it, when it did not do it itself */
  observedBy?: string;
  /** filled in by the page */
  registryName?: string;
};

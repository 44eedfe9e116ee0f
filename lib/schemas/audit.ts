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

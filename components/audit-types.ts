// The audit API's shapes as the browser sees them.
export type { AuditEventView as AuditEventRow } from "@/lib/schemas/audit";

export interface AuditFilters {
  since?: string;
  until?: string;
  actor?: string;
  action?: string;
  registryId?: string;
  repository?: string;
  tag?: string;
  digest?: string;
}

export const FILTER_KEYS = ["since", "until", "actor", "action", "registryId", "repository", "tag", "digest"] as const;

export interface DayActivity { day: string; pushes: number; promotions: number }

/** A date typed into "to" means the whole day: the API's `until` is exclusive. */
export function untilInclusive(f: AuditFilters): AuditFilters {
  if (!f.until || !/^\d{4}-\d{2}-\d{2}$/.test(f.until)) return f;
  const next = new Date(`${f.until}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return { ...f, until: next.toISOString().slice(0, 10) };
}

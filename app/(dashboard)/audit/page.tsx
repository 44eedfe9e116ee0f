import { requireRole } from "@/lib/auth/guard";
import { auditFacets, dailyActivity, listAudit, parseAuditQuery } from "@/lib/services/audit";
import { AuditLog } from "@/components/audit-log";
import { FILTER_KEYS, untilInclusive, type AuditFilters } from "@/components/audit-types";

export const metadata = { title: "Audit" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireRole("ADMIN");
  const sp = await searchParams;
  const filters: AuditFilters = {};
  for (const k of FILTER_KEYS) {
    const v = sp[k];
    if (typeof v === "string" && v) filters[k] = v;
  }
  // the client refetches with the same filters; a bad one shows its error there
  const initial = await listAudit(parseAuditQuery(new URLSearchParams(untilInclusive(filters) as Record<string, string>))).catch(() => undefined);
  const [activity, facets] = await Promise.all([dailyActivity(30), auditFacets()]);
  return <AuditLog filters={filters} initial={initial} activity={activity} registries={facets.registries} actions={facets.actions} />;
}

import { forbidden } from "next/navigation";
import { auditRegistryIds, auditSql } from "@/lib/auth/access";
import { Prisma } from "@/lib/generated/prisma/client";
import { requireRole } from "@/lib/auth/guard";
import { auditFacets, dailyActivity, listAudit, parseAuditQuery } from "@/lib/services/audit";
import { AuditLog } from "@/components/audit-log";
import { FILTER_KEYS, untilInclusive, type AuditFilters } from "@/components/audit-types";

export const metadata = { title: "Audit" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // global admins read every event; registry admins (a team grant) their registries' events
  const actor = await requireRole("VIEWER");
  const scope = (await auditRegistryIds(actor)) ?? undefined;
  if (scope && !scope.length) forbidden();
  const sp = await searchParams;
  const filters: AuditFilters = {};
  for (const k of FILTER_KEYS) {
    const v = sp[k];
    if (typeof v === "string" && v) filters[k] = v;
  }
  // the client refetches with the same filters; a bad one shows its error there
  const initial = await listAudit(parseAuditQuery(new URLSearchParams(untilInclusive(filters) as Record<string, string>)), scope).catch(() => undefined);
  const [activity, facets] = await Promise.all([dailyActivity(30, new Date(), await auditSql(actor, Prisma.sql`"registryId"`)), auditFacets(scope)]);
  return <AuditLog filters={filters} initial={initial} activity={activity} registries={facets.registries} actions={facets.actions} />;
}

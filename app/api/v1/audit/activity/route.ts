import { forbidden } from "@/lib/errors";
import { auditRegistryIds, auditSql } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { Prisma } from "@/lib/generated/prisma/client";
import { dailyActivity } from "@/lib/services/audit";

export const GET = withRole("VIEWER", async ({ actor }) => {
  const scope = await auditRegistryIds(actor);
  if (scope && !scope.length) throw forbidden("this needs the ADMIN role (globally, or on a registry through a team)");
  return { days: await dailyActivity(30, new Date(), await auditSql(actor, Prisma.sql`"registryId"`)) };
});

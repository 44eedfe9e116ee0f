import { forbidden } from "@/lib/errors";
import { auditRegistryIds } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { exportAudit, listAudit, parseAuditQuery } from "@/lib/services/audit";

// the log names people, addresses and activity: global admins read all of it, registry admins
// (a team grant with the ADMIN role on a whole registry) their registries' events, others nothing
export const GET = withRole("VIEWER", async ({ req, actor }) => {
  const scope = (await auditRegistryIds(actor)) ?? undefined;
  if (scope && !scope.length) throw forbidden("this needs the ADMIN role (globally, or on a registry through a team)");
  const q = parseAuditQuery(new URL(req.url).searchParams);
  if (!q.format) return listAudit(q, scope);
  const file = exportAudit(q, q.format, scope);
  return new Response(file.stream, {
    headers: { "content-type": file.contentType, "content-disposition": `attachment; filename="${file.filename}"`, "cache-control": "no-store" },
  });
});

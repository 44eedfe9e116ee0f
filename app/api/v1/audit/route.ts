import { withRole } from "@/lib/auth/guard";
import { exportAudit, listAudit, parseAuditQuery } from "@/lib/services/audit";

// admins only: the log names people, addresses and every registry's activity
export const GET = withRole("ADMIN", async ({ req }) => {
  const q = parseAuditQuery(new URL(req.url).searchParams);
  if (!q.format) return listAudit(q);
  const file = exportAudit(q, q.format);
  return new Response(file.stream, {
    headers: { "content-type": file.contentType, "content-disposition": `attachment; filename="${file.filename}"`, "cache-control": "no-store" },
  });
});

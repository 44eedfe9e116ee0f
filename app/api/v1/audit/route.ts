import { withRole } from "@/lib/auth/guard";
import { exportAudit, listAudit, parseAuditQuery } from "@/lib/services/audit";

// admins only: the log names people, addresses and every registry's activity
export const GET = withRole("ADMIN", async ({ req }) => {
  const q = parseAuditQuery(new URL(req.url).searchParams);
  return q.format ? exportAudit(q, q.format) : listAudit(q);
});

import { requireSee } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { hasRole } from "@/lib/schemas/roles";
import { lastPushQuery } from "@/lib/schemas/audit";
import { lastPush } from "@/lib/services/audit";

// "who pushed this": viewers see the tag pages, so they may see who last pushed a tag; the
// pusher's address and the delivery details only admins (as the audit log itself)
export const GET = withRole("VIEWER", async ({ req, actor }) => {
  const q = lastPushQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
  await requireSee(actor, q.registryId, q.repository);
  return { push: await lastPush(q.registryId, q.repository, q.tag, { full: hasRole(actor.role, "ADMIN") }) };
});

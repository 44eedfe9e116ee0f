import { withRole } from "@/lib/auth/guard";
import { removeMember } from "@/lib/services/teams";

export const DELETE = withRole<{ id: string; userId: string }>("ADMIN", async ({ actor, params }) => {
  await removeMember(actor, params.id, params.userId);
  return new Response(null, { status: 204 });
});

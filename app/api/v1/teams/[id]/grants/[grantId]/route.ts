import { withRole } from "@/lib/auth/guard";
import { removeGrant } from "@/lib/services/teams";

export const DELETE = withRole<{ id: string; grantId: string }>("ADMIN", async ({ actor, params }) => {
  await removeGrant(actor, params.id, params.grantId);
  return new Response(null, { status: 204 });
});

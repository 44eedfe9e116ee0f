import { withRole } from "@/lib/auth/guard";
import { revokeToken } from "@/lib/services/tokens";

export const DELETE = withRole<{ id: string }>("VIEWER", async ({ actor, params }) => {
  await revokeToken(actor, params.id);
  return new Response(null, { status: 204 });
});

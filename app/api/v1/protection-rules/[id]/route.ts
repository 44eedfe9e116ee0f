import { withRole } from "@/lib/auth/guard";
import { deleteRule } from "@/lib/services/protection";

export const DELETE = withRole<{ id: string }>("ADMIN", async ({ actor, params }) => {
  await deleteRule(actor, params.id);
  return new Response(null, { status: 204 });
});

import { withRole } from "@/lib/auth/guard";
import { deleteEnvironment } from "@/lib/services/environments";

export const DELETE = withRole<{ id: string }>("ADMIN", async ({ actor, params }) => {
  await deleteEnvironment(actor, params.id);
  return new Response(null, { status: 204 });
});

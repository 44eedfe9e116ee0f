import { withRole } from "@/lib/auth/guard";
import { deleteSigningKey } from "@/lib/services/signing-keys";

export const DELETE = withRole<{ id: string }>("ADMIN", async ({ actor, params }) => {
  await deleteSigningKey(actor, params.id);
  return new Response(null, { status: 204 });
});

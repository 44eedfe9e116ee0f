import { withRole } from "@/lib/auth/guard";
import { deleteStage } from "@/lib/services/stages";

// global admins, and registry admins (a team grant) for their registry: the service checks (requireRegistryAdmin)
export const DELETE = withRole<{ id: string }>("VIEWER", async ({ actor, params }) => {
  await deleteStage(actor, params.id);
  return new Response(null, { status: 204 });
});

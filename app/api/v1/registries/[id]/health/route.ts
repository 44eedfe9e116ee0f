import { requireSee } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { registryHealth } from "@/lib/services/browse";

export const GET = withRole<{ id: string }>("VIEWER", async ({ params, actor }) => {
  await requireSee(actor, params.id);
  return registryHealth(params.id);
});

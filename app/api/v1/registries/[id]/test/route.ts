import { requireSee } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { testRegistry } from "@/lib/services/registry-test";

// every role may test; only an admin's test sends the push/delete probes
export const POST = withRole<{ id: string }>("VIEWER", async ({ params, actor }) => {
  await requireSee(actor, params.id);
  return testRegistry(params.id, actor);
});

import { requireSee } from "@/lib/auth/access";
import { readJson, withRole } from "@/lib/auth/guard";
import { deleteRegistry, getRegistry, updateRegistry } from "@/lib/services/registries";

type P = { id: string };

export const GET = withRole<P>("VIEWER", async ({ params, actor }) => {
  await requireSee(actor, params.id);
  return getRegistry(params.id);
});

export const PATCH = withRole<P>("ADMIN", async ({ req, actor, params }) => updateRegistry(actor, params.id, await readJson(req)));

export const DELETE = withRole<P>("ADMIN", async ({ actor, params }) => {
  await deleteRegistry(actor, params.id);
  return new Response(null, { status: 204 });
});

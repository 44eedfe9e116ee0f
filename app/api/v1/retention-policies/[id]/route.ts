import { requireSeeOr404 } from "@/lib/auth/access";
import { readJson, withRole } from "@/lib/auth/guard";
import { deletePolicy, getPolicy, updatePolicy } from "@/lib/services/retention";

export const GET = withRole<{ id: string }>("VIEWER", async ({ params, actor }) => {
  const p = await getPolicy(params.id);
  await requireSeeOr404(actor, `retention policy ${params.id}`, p.registryId);
  return p;
});

export const PATCH = withRole<{ id: string }>("ADMIN", async ({ req, actor, params }) => updatePolicy(actor, params.id, await readJson(req)));

export const DELETE = withRole<{ id: string }>("ADMIN", async ({ actor, params }) => {
  await deletePolicy(actor, params.id);
  return new Response(null, { status: 204 });
});

import { readJson, withRole } from "@/lib/auth/guard";
import { deletePolicy, getPolicy, updatePolicy } from "@/lib/services/retention";

export const GET = withRole<{ id: string }>("VIEWER", async ({ params }) => getPolicy(params.id));

export const PATCH = withRole<{ id: string }>("ADMIN", async ({ req, actor, params }) => updatePolicy(actor, params.id, await readJson(req)));

export const DELETE = withRole<{ id: string }>("ADMIN", async ({ actor, params }) => {
  await deletePolicy(actor, params.id);
  return new Response(null, { status: 204 });
});

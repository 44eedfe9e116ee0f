import { readJson, withRole } from "@/lib/auth/guard";
import { deleteUser, updateUser } from "@/lib/services/users";

type P = { id: string };

export const PATCH = withRole<P>("ADMIN", async ({ req, actor, params }) => updateUser(actor, params.id, await readJson(req)));

export const DELETE = withRole<P>("ADMIN", async ({ actor, params }) => {
  await deleteUser(actor, params.id);
  return new Response(null, { status: 204 });
});

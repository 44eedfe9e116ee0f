import { readJson, withRole } from "@/lib/auth/guard";
import { deleteTeam, updateTeam } from "@/lib/services/teams";

type P = { id: string };

export const PATCH = withRole<P>("ADMIN", async ({ req, actor, params }) => updateTeam(actor, params.id, await readJson(req)));

export const DELETE = withRole<P>("ADMIN", async ({ actor, params }) => {
  await deleteTeam(actor, params.id);
  return new Response(null, { status: 204 });
});

import { readJson, withRole } from "@/lib/auth/guard";
import { deleteNotificationRule, updateNotificationRule } from "@/lib/services/notifications";

export const PATCH = withRole<{ id: string }>("ADMIN", async ({ req, actor, params }) => updateNotificationRule(actor, params.id, await readJson(req)));

export const DELETE = withRole<{ id: string }>("ADMIN", async ({ actor, params }) => {
  await deleteNotificationRule(actor, params.id);
  return new Response(null, { status: 204 });
});

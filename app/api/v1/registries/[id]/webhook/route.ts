import { withRole } from "@/lib/auth/guard";
import { publicOrigin } from "@/lib/auth/client-address";
import { createWebhookSecret } from "@/lib/services/webhooks";

// a new secret each call, shown once; the old one stops working
export const POST = withRole<{ id: string }>("ADMIN", async ({ req, actor, params }) => createWebhookSecret(actor, params.id, publicOrigin(req.headers, req.url)));

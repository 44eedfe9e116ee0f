// Registry notifications (the handler is shared with the server of `npm start`: ./handler.ts).
import { webhookRoute } from "./handler";

export async function POST(req: Request, ctx: { params: Promise<{ registryId: string }> }) {
  return webhookRoute(req, (await ctx.params).registryId);
}

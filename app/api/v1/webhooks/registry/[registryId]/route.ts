// Registry notifications (the code is shared with the front server: lib/api/machine-routes.ts).
import { webhookRoute } from "@/lib/api/machine-routes";

export async function POST(req: Request, ctx: { params: Promise<{ registryId: string }> }) {
  return webhookRoute(req, (await ctx.params).registryId);
}

import { requireSeeOr404 } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { searchParams } from "@/lib/schemas/browse";
import { promotionQuerySchema } from "@/lib/schemas/promotion";
import { getPromotion, waitForPromotion } from "@/lib/services/promotions";

// ?wait=<seconds> (at most 30): answers when the promotion has finished, so a caller need not poll
export const GET = withRole<{ id: string }>("VIEWER", async ({ req, params, actor }) => {
  const p = await getPromotion(params.id);
  await requireSeeOr404(actor, `promotion ${params.id}`, p.source.registryId, p.source.repository);
  await requireSeeOr404(actor, `promotion ${params.id}`, p.target.registryId, p.target.repository);
  const { wait } = promotionQuerySchema.parse(searchParams(req));
  return wait ? waitForPromotion(params.id, wait * 1000, req.signal) : p;
});

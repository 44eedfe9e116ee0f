import { requireSeeOr404 } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { getPromotion } from "@/lib/services/promotions";

export const GET = withRole<{ id: string }>("VIEWER", async ({ params, actor }) => {
  const p = await getPromotion(params.id);
  await requireSeeOr404(actor, `promotion ${params.id}`, p.source.registryId, p.source.repository);
  await requireSeeOr404(actor, `promotion ${params.id}`, p.target.registryId, p.target.repository);
  return p;
});

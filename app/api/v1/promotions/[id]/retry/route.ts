import { NextResponse } from "next/server";
import { requireSeeOr404 } from "@/lib/auth/access";
import { getPromotion, retryPromotion } from "@/lib/services/promotions";
import { withRole } from "@/lib/auth/guard";

export const POST = withRole<{ id: string }>("OPERATOR", async ({ actor, params }) => {
  const p = await getPromotion(params.id);
  await requireSeeOr404(actor, `promotion ${params.id}`, p.source.registryId, p.source.repository);
  await requireSeeOr404(actor, `promotion ${params.id}`, p.target.registryId, p.target.repository);
  return NextResponse.json(await retryPromotion(actor, params.id), { status: 202 });
});

import { NextResponse } from "next/server";
import { visibleFilter, visibleRegistryIds } from "@/lib/auth/access";
import { readJson, withRole } from "@/lib/auth/guard";
import { listPromotions, requestPromotion } from "@/lib/services/promotions";

export const GET = withRole("VIEWER", async ({ actor }) => ({ promotions: await listPromotions(50, await visibleRegistryIds(actor), await visibleFilter(actor)) }));

export const POST = withRole("OPERATOR", async ({ req, actor }) => {
  const answer = await requestPromotion(actor, await readJson(req));
  if (answer.outcome === "planned") return NextResponse.json({ plan: answer.plan });
  return NextResponse.json(answer.promotion, { status: answer.outcome === "queued" ? 202 : 200 });
});

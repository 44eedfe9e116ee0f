import { NextResponse } from "next/server";
import { readJson, withRole } from "@/lib/auth/guard";
import { listPromotions, requestPromotion } from "@/lib/services/promotions";

export const GET = withRole("VIEWER", async () => ({ promotions: await listPromotions() }));

export const POST = withRole("OPERATOR", async ({ req, actor }) => {
  const answer = await requestPromotion(actor, await readJson(req));
  if (answer.outcome === "planned") return NextResponse.json({ plan: answer.plan });
  return NextResponse.json(answer.promotion, { status: answer.outcome === "queued" ? 202 : 200 });
});

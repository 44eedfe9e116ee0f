import { NextResponse } from "next/server";
import { withRole } from "@/lib/auth/guard";
import { retryPromotion } from "@/lib/services/promotions";

export const POST = withRole<{ id: string }>("OPERATOR", async ({ actor, params }) =>
  NextResponse.json(await retryPromotion(actor, params.id), { status: 202 }),
);

// Registry notifications: no session; the registry's webhook secret authenticates the call.
import { NextResponse } from "next/server";
import { clientAddress } from "@/lib/auth/auth";
import { errorResponse } from "@/lib/auth/guard";
import { receiveWebhook } from "@/lib/services/webhooks";

export async function POST(req: Request, ctx: { params: Promise<{ registryId: string }> }) {
  try {
    const { registryId } = await ctx.params;
    return NextResponse.json(await receiveWebhook(registryId, req, clientAddress(req.headers)), { status: 202 });
  } catch (err) {
    return errorResponse(err);
  }
}

import { NextResponse } from "next/server";
import { requireGrant, requireSee } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { getSyncStatus, startSync } from "@/lib/services/registry-sync";

export const GET = withRole<{ id: string }>("VIEWER", async ({ params, actor }) => {
  await requireSee(actor, params.id);
  return getSyncStatus(params.id);
});

export const POST = withRole<{ id: string }>("OPERATOR", async ({ params, actor }) => {
  await requireGrant(actor, "OPERATOR", params.id);
  return NextResponse.json(await startSync(params.id), { status: 202 });
});

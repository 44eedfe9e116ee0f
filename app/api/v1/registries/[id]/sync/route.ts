import { NextResponse } from "next/server";
import { withRole } from "@/lib/auth/guard";
import { getSyncStatus, startSync } from "@/lib/services/registry-sync";

export const GET = withRole<{ id: string }>("VIEWER", async ({ params }) => getSyncStatus(params.id));

export const POST = withRole<{ id: string }>("OPERATOR", async ({ params }) => NextResponse.json(await startSync(params.id), { status: 202 }));

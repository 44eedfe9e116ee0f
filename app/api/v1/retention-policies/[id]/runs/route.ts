import { NextResponse } from "next/server";
import { withRole } from "@/lib/auth/guard";
import { listRuns, startRun } from "@/lib/services/retention";

export const GET = withRole<{ id: string }>("VIEWER", async ({ params }) => ({ runs: await listRuns(params.id) }));

export const POST = withRole<{ id: string }>("ADMIN", async ({ actor, params }) => NextResponse.json(await startRun(actor, params.id), { status: 202 }));

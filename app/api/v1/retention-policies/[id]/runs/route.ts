import { NextResponse } from "next/server";
import { withRole } from "@/lib/auth/guard";
import { requireSeeOr404 } from "@/lib/auth/access";
import { getPolicy, listRuns, startRun } from "@/lib/services/retention";

export const GET = withRole<{ id: string }>("VIEWER", async ({ params, actor }) => {
  await requireSeeOr404(actor, `retention policy ${params.id}`, (await getPolicy(params.id)).registryId);
  return { runs: await listRuns(params.id) };
});

export const POST = withRole<{ id: string }>("ADMIN", async ({ actor, params }) => NextResponse.json(await startRun(actor, params.id), { status: 202 }));

import { NextResponse } from "next/server";
import { withRole } from "@/lib/auth/guard";
import { searchParams, tagsQuery } from "@/lib/schemas/browse";
import { listTagsTimed } from "@/lib/services/browse";

export const GET = withRole<{ id: string }>("VIEWER", async ({ req, params }) => {
  const { answer, timing } = await listTagsTimed(params.id, tagsQuery.parse(searchParams(req)).repository);
  const serverTiming = Object.entries(timing).map(([k, v]) => `${k};dur=${v.toFixed(1)}`).join(", ");
  return NextResponse.json(answer, { headers: { "server-timing": serverTiming } });
});

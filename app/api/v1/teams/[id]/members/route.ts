import { NextResponse } from "next/server";
import { readJson, withRole } from "@/lib/auth/guard";
import { addMember } from "@/lib/services/teams";

export const POST = withRole<{ id: string }>("ADMIN", async ({ req, actor, params }) => NextResponse.json(await addMember(actor, params.id, await readJson(req)), { status: 201 }));

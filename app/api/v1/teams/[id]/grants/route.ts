import { NextResponse } from "next/server";
import { readJson, withRole } from "@/lib/auth/guard";
import { addGrant } from "@/lib/services/teams";

export const POST = withRole<{ id: string }>("ADMIN", async ({ req, actor, params }) => NextResponse.json(await addGrant(actor, params.id, await readJson(req)), { status: 201 }));

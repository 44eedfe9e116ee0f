import { NextResponse } from "next/server";
import { readJson, withRole } from "@/lib/auth/guard";
import { createToken, listTokens } from "@/lib/services/tokens";

export const GET = withRole("VIEWER", async ({ actor }) => ({ tokens: await listTokens(actor) }));

export const POST = withRole("VIEWER", async ({ req, actor }) =>
  NextResponse.json(await createToken(actor, await readJson(req)), { status: 201 }),
);

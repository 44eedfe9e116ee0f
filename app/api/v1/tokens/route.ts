import { NextResponse } from "next/server";
import { readJson, withRole } from "@/lib/auth/guard";
import { createToken, listAllTokens, listTokens } from "@/lib/services/tokens";

// ?all=true: everyone's tokens with their owners (admins only)
export const GET = withRole("VIEWER", async ({ req, actor }) => {
  const all = new URL(req.url).searchParams.get("all");
  return { tokens: all === "true" || all === "1" ? await listAllTokens(actor) : await listTokens(actor) };
});

export const POST = withRole("VIEWER", async ({ req, actor }) =>
  NextResponse.json(await createToken(actor, await readJson(req)), { status: 201 }),
);

import { NextResponse } from "next/server";
import { readJson, withRole } from "@/lib/auth/guard";
import { createRule, listRules } from "@/lib/services/protection";

export const GET = withRole("VIEWER", async () => ({ rules: await listRules() }));

export const POST = withRole("ADMIN", async ({ req, actor }) => NextResponse.json(await createRule(actor, await readJson(req)), { status: 201 }));

import { NextResponse } from "next/server";
import { readJson, withRole } from "@/lib/auth/guard";
import { createPolicy, listPolicies } from "@/lib/services/retention";

export const GET = withRole("VIEWER", async () => ({ policies: await listPolicies() }));

export const POST = withRole("ADMIN", async ({ req, actor }) => NextResponse.json(await createPolicy(actor, await readJson(req)), { status: 201 }));

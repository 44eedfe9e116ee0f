import { NextResponse } from "next/server";
import { visibleRegistryIds } from "@/lib/auth/access";
import { readJson, withRole } from "@/lib/auth/guard";
import { createPolicy, listPolicies } from "@/lib/services/retention";

export const GET = withRole("VIEWER", async ({ actor }) => ({ policies: await listPolicies(await visibleRegistryIds(actor)) }));

export const POST = withRole("ADMIN", async ({ req, actor }) => NextResponse.json(await createPolicy(actor, await readJson(req)), { status: 201 }));

import { NextResponse } from "next/server";
import { visibleRegistryIds } from "@/lib/auth/access";
import { readJson, withRole } from "@/lib/auth/guard";
import { createRule, listRules } from "@/lib/services/protection";

export const GET = withRole("VIEWER", async ({ actor }) => ({ rules: await listRules(await visibleRegistryIds(actor)) }));

// global admins, and registry admins (a team grant) for their registry: the service checks (requireRegistryAdmin)
export const POST = withRole("VIEWER", async ({ req, actor }) => NextResponse.json(await createRule(actor, await readJson(req)), { status: 201 }));

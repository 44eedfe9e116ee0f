import { NextResponse } from "next/server";
import { readJson, withRole } from "@/lib/auth/guard";
import { createNotificationRule, listNotificationRules } from "@/lib/services/notifications";

export const GET = withRole("ADMIN", async () => ({ rules: await listNotificationRules() }));

export const POST = withRole("ADMIN", async ({ req, actor }) => NextResponse.json(await createNotificationRule(actor, await readJson(req)), { status: 201 }));

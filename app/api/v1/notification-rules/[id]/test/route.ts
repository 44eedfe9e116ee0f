import { NextResponse } from "next/server";
import { withRole } from "@/lib/auth/guard";
import { testNotificationRule } from "@/lib/services/notifications";

export const POST = withRole<{ id: string }>("ADMIN", async ({ actor, params }) => NextResponse.json(await testNotificationRule(actor, params.id), { status: 202 }));

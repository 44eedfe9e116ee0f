import { NextResponse } from "next/server";
import { readJson, withRole } from "@/lib/auth/guard";
import { createSigningKey, listSigningKeys } from "@/lib/services/signing-keys";

export const GET = withRole("ADMIN", async () => ({ keys: await listSigningKeys() }));

export const POST = withRole("ADMIN", async ({ req, actor }) => NextResponse.json(await createSigningKey(actor, await readJson(req)), { status: 201 }));

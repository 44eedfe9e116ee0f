import { NextResponse } from "next/server";
import { readJson, withRole } from "@/lib/auth/guard";
import { createUser, listUsers } from "@/lib/services/users";

export const GET = withRole("ADMIN", async () => ({ users: await listUsers() }));

export const POST = withRole("ADMIN", async ({ req, actor }) =>
  NextResponse.json(await createUser(actor, await readJson(req)), { status: 201 }),
);

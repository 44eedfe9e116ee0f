import { NextResponse } from "next/server";
import { readJson, withRole } from "@/lib/auth/guard";
import { createRegistry, listRegistries } from "@/lib/services/registries";

export const GET = withRole("VIEWER", async () => ({ registries: await listRegistries() }));

export const POST = withRole("ADMIN", async ({ req, actor }) =>
  NextResponse.json(await createRegistry(actor, await readJson(req)), { status: 201 }),
);

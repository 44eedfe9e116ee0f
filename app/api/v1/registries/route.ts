import { NextResponse } from "next/server";
import { visibleRegistryIds } from "@/lib/auth/access";
import { readJson, withRole } from "@/lib/auth/guard";
import { createRegistry, listRegistries } from "@/lib/services/registries";

export const GET = withRole("VIEWER", async ({ actor }) => ({ registries: await listRegistries(await visibleRegistryIds(actor)) }));

export const POST = withRole("ADMIN", async ({ req, actor }) =>
  NextResponse.json(await createRegistry(actor, await readJson(req)), { status: 201 }),
);

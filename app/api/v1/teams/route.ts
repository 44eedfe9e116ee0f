import { NextResponse } from "next/server";
import { readJson, withRole } from "@/lib/auth/guard";
import { createTeam, listTeams } from "@/lib/services/teams";

export const GET = withRole("ADMIN", async ({ actor }) => ({ teams: await listTeams(actor) }));

export const POST = withRole("ADMIN", async ({ req, actor }) => NextResponse.json(await createTeam(actor, await readJson(req)), { status: 201 }));

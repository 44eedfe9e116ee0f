import { NextResponse } from "next/server";
import { visibleFilter } from "@/lib/auth/access";
import { readJson, withRole } from "@/lib/auth/guard";
import { pipelineQuery, searchParams } from "@/lib/schemas/browse";
import { createStage, stagesView } from "@/lib/services/stages";

/** The stages; with ?tag=, also that tag's digest in each stage. */
export const GET = withRole("VIEWER", async ({ req, actor }) => {
  // a tag goes to every stage's registry: the OCI grammar first, before any call
  const { tag } = pipelineQuery.parse(searchParams(req));
  return stagesView(tag, await visibleFilter(actor));
});

// global admins, and registry admins (a team grant) for their registry: the service checks (requireRegistryAdmin)
export const POST = withRole("VIEWER", async ({ req, actor }) => NextResponse.json(await createStage(actor, await readJson(req)), { status: 201 }));

import { NextResponse } from "next/server";
import { readJson, withRole } from "@/lib/auth/guard";
import { pipelineQuery, searchParams } from "@/lib/schemas/browse";
import { createEnvironment, listEnvironments, pipelineFor } from "@/lib/services/environments";

/** The stages; with ?tag=, also that tag's digest in each stage. */
export const GET = withRole("VIEWER", async ({ req }) => {
  // a tag goes to every stage's registry: the OCI grammar first, before any call
  const { tag } = pipelineQuery.parse(searchParams(req));
  return tag ? { stages: await pipelineFor(tag) } : { environments: await listEnvironments() };
});

export const POST = withRole("ADMIN", async ({ req, actor }) => NextResponse.json(await createEnvironment(actor, await readJson(req)), { status: 201 }));

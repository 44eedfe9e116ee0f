import { z } from "zod";
import { NextResponse } from "next/server";
import { withRole } from "@/lib/auth/guard";
import { searchParams, tagsQuery } from "@/lib/schemas/browse";
import { listTagsTimed } from "@/lib/services/browse";
import { deleteTag, previewDelete } from "@/lib/services/delete-tag";

export const GET = withRole<{ id: string }>("VIEWER", async ({ req, params }) => {
  const q = tagsQuery.parse(searchParams(req));
  const { answer, timing } = await listTagsTimed(params.id, q.repository, q.limit);
  const serverTiming = Object.entries(timing).map(([k, v]) => `${k};dur=${v.toFixed(1)}`).join(", ");
  return NextResponse.json(answer, { headers: { "server-timing": serverTiming } });
});

const deleteQuery = z.object({
  repository: z.string().min(1, "repository is required"),
  tag: z.string().min(1, "tag is required"),
  confirmDigest: z.string().optional(),
  dryRun: z.enum(["1", "true"]).optional(),
});

/**
 * Safe delete: `?dryRun=1` says which tags go with the digest; the delete itself needs
 * `confirmDigest=<digest>` (409 with the preview otherwise).
 */
export const DELETE = withRole<{ id: string }>("OPERATOR", async ({ req, actor, params }) => {
  const q = deleteQuery.parse(searchParams(req));
  if (q.dryRun) return previewDelete(params.id, q.repository, q.tag);
  return deleteTag(actor, params.id, q.repository, q.tag, q.confirmDigest);
});

import { z } from "zod";
import { listTagsRoute } from "@/lib/api/machine-routes";
import { requireSee } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { searchParams } from "@/lib/schemas/browse";
import { digest, repositoryName, tagName } from "@/lib/schemas/names";
import { deleteTag, previewDelete } from "@/lib/services/delete-tag";

// the handler is shared with the front server (lib/api/machine-routes.ts)
export const GET = withRole<{ id: string }>("VIEWER", listTagsRoute);

const deleteQuery = z.object({
  repository: repositoryName,
  tag: tagName,
  confirmDigest: digest.optional(),
  dryRun: z.enum(["1", "true"]).optional(),
});

/**
 * Safe delete: `?dryRun=1` says which tags go with the digest; the delete itself needs
 * `confirmDigest=<digest>` (409 with the preview otherwise).
 */
export const DELETE = withRole<{ id: string }>("OPERATOR", async ({ req, actor, params }) => {
  const q = deleteQuery.parse(searchParams(req));
  await requireSee(actor, params.id, q.repository);
  if (q.dryRun) return previewDelete(params.id, q.repository, q.tag);
  return deleteTag(actor, params.id, q.repository, q.tag, q.confirmDigest);
});

import { listTagsRoute } from "./handler";
import { requireSee } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { searchParams, tagDeleteQuery } from "@/lib/schemas/browse";
import { deleteTag, previewDelete } from "@/lib/services/delete-tag";

// the handler is shared with the server of `npm start` (./handler.ts, ../../../machine-routes.ts)
export const GET = withRole<{ id: string }>("VIEWER", listTagsRoute);

/**
 * Safe delete: `?dryRun=1` says which tags go with the digest; the delete itself needs
 * `confirmDigest=<digest>` (409 with the preview otherwise).
 */
export const DELETE = withRole<{ id: string }>("OPERATOR", async ({ req, actor, params }) => {
  const q = tagDeleteQuery.parse(searchParams(req));
  await requireSee(actor, params.id, q.repository);
  if (q.dryRun) return previewDelete(params.id, q.repository, q.tag);
  return deleteTag(actor, params.id, q.repository, q.tag, q.confirmDigest);
});

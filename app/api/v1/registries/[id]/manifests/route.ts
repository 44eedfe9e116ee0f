import { requireSee, visibilityOf } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { manifestQuery, searchParams } from "@/lib/schemas/browse";
import { getManifest } from "@/lib/services/browse";

export const GET = withRole<{ id: string }>("VIEWER", async ({ req, params, actor }) => {
  const q = manifestQuery.parse(searchParams(req));
  await requireSee(actor, params.id, q.repository);
  return getManifest(params.id, q.repository, q.reference, visibilityOf(actor));
});

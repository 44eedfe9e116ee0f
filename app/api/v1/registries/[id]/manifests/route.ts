import { withRole } from "@/lib/auth/guard";
import { manifestQuery, searchParams } from "@/lib/schemas/browse";
import { getManifest } from "@/lib/services/browse";

export const GET = withRole<{ id: string }>("VIEWER", async ({ req, params }) => {
  const q = manifestQuery.parse(searchParams(req));
  return getManifest(params.id, q.repository, q.reference);
});

import { notFound } from "@/lib/errors";
import { requireSee } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { manifestQuery, searchParams } from "@/lib/schemas/browse";
import { isId } from "@/lib/schemas/id";
import { supplyChainView } from "@/lib/services/signature-gate";

/** The tag page's badges: cosign signature (verified with which key) and SBOM referrers. */
export const GET = withRole<{ id: string }>("VIEWER", async ({ req, params, actor }) => {
  if (!isId(params.id)) throw notFound(`registry ${params.id}`);
  const q = manifestQuery.parse(searchParams(req));
  await requireSee(actor, params.id, q.repository);
  return supplyChainView(params.id, q.repository, q.reference);
});

import { z } from "zod";
import { notFound } from "@/lib/errors";
import { withRole } from "@/lib/auth/guard";
import { manifestQuery, searchParams } from "@/lib/schemas/browse";
import { supplyChainView } from "@/lib/services/signature-gate";

/** The tag page's badges: cosign signature (verified with which key) and SBOM referrers. */
export const GET = withRole<{ id: string }>("VIEWER", async ({ req, params }) => {
  if (!z.guid().safeParse(params.id).success) throw notFound(`registry ${params.id}`);
  const q = manifestQuery.parse(searchParams(req));
  return supplyChainView(params.id, q.repository, q.reference);
});

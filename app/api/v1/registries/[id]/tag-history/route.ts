import { notFound } from "@/lib/errors";
import { withRole } from "@/lib/auth/guard";
import { registryIdParam, searchParams, tagHistoryQuery } from "@/lib/schemas/browse";
import { tagHistory } from "@/lib/services/tag-history";

export const GET = withRole<{ id: string }>("VIEWER", async ({ req, params }) => {
  if (!registryIdParam.safeParse(params.id).success) throw notFound(`registry ${params.id}`);
  const q = tagHistoryQuery.parse(searchParams(req));
  return { changes: await tagHistory(params.id, q.repository, q.tag) };
});

import { notFound } from "@/lib/errors";
import { requireSee } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { registryIdParam, searchParams, tagHistoryQuery } from "@/lib/schemas/browse";
import { tagHistory } from "@/lib/services/tag-history";

export const GET = withRole<{ id: string }>("VIEWER", async ({ req, params, actor }) => {
  if (!registryIdParam.safeParse(params.id).success) throw notFound(`registry ${params.id}`);
  const q = tagHistoryQuery.parse(searchParams(req));
  await requireSee(actor, params.id, q.repository);
  return { changes: await tagHistory(params.id, q.repository, q.tag) };
});

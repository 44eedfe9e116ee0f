import { z } from "zod";
import { notFound } from "@/lib/api/errors";
import { requireSee } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { searchParams } from "@/lib/schemas/browse";
import { repositoryName, tagName } from "@/lib/schemas/names";
import { tagHistory } from "@/lib/services/tag-history";

const query = z.object({ repository: repositoryName, tag: tagName });

export const GET = withRole<{ id: string }>("VIEWER", async ({ req, params, actor }) => {
  if (!z.guid().safeParse(params.id).success) throw notFound(`registry ${params.id}`);
  const q = query.parse(searchParams(req));
  await requireSee(actor, params.id, q.repository);
  return { changes: await tagHistory(params.id, q.repository, q.tag) };
});

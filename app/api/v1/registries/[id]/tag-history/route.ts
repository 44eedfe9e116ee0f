import { z } from "zod";
import { notFound } from "@/lib/errors";
import { withRole } from "@/lib/auth/guard";
import { searchParams } from "@/lib/schemas/browse";
import { repositoryName, tagName } from "@/lib/schemas/names";
import { tagHistory } from "@/lib/services/tag-history";

const query = z.object({ repository: repositoryName, tag: tagName });

export const GET = withRole<{ id: string }>("VIEWER", async ({ req, params }) => {
  if (!z.guid().safeParse(params.id).success) throw notFound(`registry ${params.id}`);
  const q = query.parse(searchParams(req));
  return { changes: await tagHistory(params.id, q.repository, q.tag) };
});

import { requireSee } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { searchParams } from "@/lib/schemas/browse";
import { repositoryName, tagName } from "@/lib/schemas/names";
import { protectionFor } from "@/lib/services/protection";
import { z } from "zod";

const query = z.object({ registryId: z.string().uuid(), repository: repositoryName, tag: tagName });

/** The lock shown beside a tag: who may move it and why. */
export const GET = withRole("VIEWER", async ({ req, actor }) => {
  const q = query.parse(searchParams(req));
  await requireSee(actor, q.registryId, q.repository);
  return protectionFor(q.registryId, q.repository, q.tag);
});

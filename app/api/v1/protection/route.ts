import { requireSee } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { protectionQuery, searchParams } from "@/lib/schemas/browse";
import { protectionFor } from "@/lib/services/protection";

/** The lock shown beside a tag: who may move it and why. */
export const GET = withRole("VIEWER", async ({ req, actor }) => {
  const q = protectionQuery.parse(searchParams(req));
  await requireSee(actor, q.registryId, q.repository);
  return protectionFor(q.registryId, q.repository, q.tag);
});

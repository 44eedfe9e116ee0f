import { requireSee } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { searchParams } from "@/lib/schemas/browse";
import { diffQuery } from "@/lib/schemas/diff";
import { diffImages } from "@/lib/services/diff";

export const GET = withRole("VIEWER", async ({ req, actor }) => {
  const q = diffQuery.parse(searchParams(req));
  await requireSee(actor, q.from.registryId, q.from.repository);
  await requireSee(actor, q.to.registryId, q.to.repository);
  return diffImages(q.from, q.to);
});

import { withRole } from "@/lib/auth/guard";
import { searchParams } from "@/lib/schemas/browse";
import { diffQuery } from "@/lib/schemas/diff";
import { diffImages } from "@/lib/services/diff";

export const GET = withRole("VIEWER", async ({ req }) => {
  const q = diffQuery.parse(searchParams(req));
  return diffImages(q.from, q.to);
});

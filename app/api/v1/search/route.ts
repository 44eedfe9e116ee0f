import { withRole } from "@/lib/auth/guard";
import { searchParams } from "@/lib/schemas/browse";
import { searchQuery } from "@/lib/schemas/search";
import { search } from "@/lib/services/search";

export const GET = withRole("VIEWER", async ({ req }) => {
  const { q } = searchQuery.parse(searchParams(req));
  return search(q);
});

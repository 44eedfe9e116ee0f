import { visibilityOf } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { searchParams } from "@/lib/schemas/browse";
import { searchQuery } from "@/lib/schemas/search";
import { search } from "@/lib/services/search";

export const GET = withRole("VIEWER", async ({ req, actor }) => {
  const { q } = searchQuery.parse(searchParams(req));
  return search(q, visibilityOf(actor));
});

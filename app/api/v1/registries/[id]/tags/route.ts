import { withRole } from "@/lib/auth/guard";
import { searchParams, tagsQuery } from "@/lib/schemas/browse";
import { listTags } from "@/lib/services/browse";

export const GET = withRole<{ id: string }>("VIEWER", async ({ req, params }) =>
  listTags(params.id, tagsQuery.parse(searchParams(req)).repository),
);

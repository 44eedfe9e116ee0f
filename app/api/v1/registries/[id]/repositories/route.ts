import { withRole } from "@/lib/auth/guard";
import { repositoriesQuery, searchParams } from "@/lib/schemas/browse";
import { listRepositories } from "@/lib/services/browse";

export const GET = withRole<{ id: string }>("VIEWER", async ({ req, params }) =>
  listRepositories(params.id, repositoriesQuery.parse(searchParams(req))),
);

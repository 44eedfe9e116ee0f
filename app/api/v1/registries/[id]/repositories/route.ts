import { accessOf, requireSee, roleIn } from "@/lib/auth/access";
import { hasRole } from "@/lib/schemas/roles";
import { withRole } from "@/lib/auth/guard";
import { repositoriesQuery, searchParams } from "@/lib/schemas/browse";
import { listRepositories } from "@/lib/services/browse";

export const GET = withRole<{ id: string }>("VIEWER", async ({ req, params, actor }) => {
  const q = repositoriesQuery.parse(searchParams(req));
  await requireSee(actor, params.id);
  const access = await accessOf(actor);
  return listRepositories(params.id, { ...q, visible: (repository) => hasRole(roleIn(access, params.id, repository), "VIEWER") });
});

// Deprecated alias of /api/v1/stages (public before the rename): the same answers, except that the
// plain list is named `environments` as it always was.
import { visibleFilter } from "@/lib/auth/access";
import { withRole } from "@/lib/auth/guard";
import { pipelineQuery, searchParams } from "@/lib/schemas/browse";
import { stagesView } from "@/lib/services/stages";

export { POST } from "../stages/route";

export const GET = withRole("VIEWER", async ({ req, actor }) => {
  const { tag } = pipelineQuery.parse(searchParams(req));
  return stagesView(tag, await visibleFilter(actor), "environments");
});

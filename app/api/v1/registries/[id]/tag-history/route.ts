import { z } from "zod";
import { withRole } from "@/lib/auth/guard";
import { searchParams } from "@/lib/schemas/browse";
import { tagHistory } from "@/lib/services/tag-history";

const query = z.object({ repository: z.string().min(1, "repository is required"), tag: z.string().min(1, "tag is required") });

export const GET = withRole<{ id: string }>("VIEWER", async ({ req, params }) => {
  const q = query.parse(searchParams(req));
  return { changes: await tagHistory(params.id, q.repository, q.tag) };
});

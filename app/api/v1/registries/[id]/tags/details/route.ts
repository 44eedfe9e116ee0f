import { requireSee } from "@/lib/auth/access";
import { readJson, withRole } from "@/lib/auth/guard";
import { tagDetailsBody } from "@/lib/schemas/browse";
import { tagDetails } from "@/lib/services/tag-details";

// POST, not GET: up to 200 tag names do not fit a query string. It only reads the registry.
// Server-Timing says where the time went (client, head, record, manifests, rows).
export const POST = withRole<{ id: string }>("VIEWER", async ({ req, params, actor }) => {
  const body = tagDetailsBody.parse(await readJson(req));
  await requireSee(actor, params.id, body.repository);
  const timing: Record<string, number> = {};
  const answer = await tagDetails(params.id, body.repository, body.tags, timing, body.fill ? "fill" : "check");
  const serverTiming = Object.entries(timing).map(([k, v]) => `${k};dur=${v.toFixed(1)}`).join(", ");
  return Response.json(answer, { headers: { "server-timing": serverTiming } });
});

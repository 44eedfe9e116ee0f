// GET /api/v1/registries/{id}/tags, framework-free: Next's route (./route.ts) serves it, and so does
// the server of `npm start` for API tokens (../../../machine-routes.ts, scripts/lib/server.ts) without
// Next's per-request cost. Same code, same answers either way.
import { requireSee } from "@/lib/auth/access";
import type { Handler } from "@/lib/auth/actor";
import { searchParams, tagsQuery } from "@/lib/schemas/browse";
import { listTagsJson } from "@/lib/services/browse";
import { parseSort } from "@/lib/tag-sort";

/** Every tag, with what PostgreSQL knows; Server-Timing says where the time went. */
export const listTagsRoute: Handler<{ id: string }> = async ({ req, params, actor }) => {
  const q = tagsQuery.parse(searchParams(req));
  await requireSee(actor, params.id, q.repository);
  const { json, timing } = await listTagsJson(params.id, q.repository, q.limit, q.fields, { sort: parseSort(q.sort) });
  const serverTiming = Object.entries(timing).map(([k, v]) => `${k};dur=${v.toFixed(1)}`).join(", ");
  return new Response(json, { headers: { "content-type": "application/json", "server-timing": serverTiming } });
};

import "server-only";
// The API routes machines call in bursts, framework-free: Next's route handlers serve them
// (app/api/v1/…/route.ts), and so does the front server of `npm start` (scripts/lib/front.ts)
// without Next's per-request cost (~2 ms of CPU each): registry webhooks, and the tag list for
// API tokens (CI, scripts). Same code, same answers either way.
import { errorJson } from "@/lib/api/errors";
import { metrics } from "@/lib/observability/metrics";
import { requireSee } from "@/lib/auth/access";
import { clientAddress, guarded, tokenActor, type Handler } from "@/lib/auth/actor";
import { searchParams, tagsQuery } from "@/lib/schemas/browse";
import { listTagsJson } from "@/lib/services/browse";
import { receiveWebhook } from "@/lib/services/webhooks";

/** GET /api/v1/registries/{id}/tags: every tag, with what PostgreSQL knows; Server-Timing says where the time went. */
export const listTagsRoute: Handler<{ id: string }> = async ({ req, params, actor }) => {
  const q = tagsQuery.parse(searchParams(req));
  await requireSee(actor, params.id, q.repository);
  const { json, timing } = await listTagsJson(params.id, q.repository, q.limit, q.fields);
  const serverTiming = Object.entries(timing).map(([k, v]) => `${k};dur=${v.toFixed(1)}`).join(", ");
  return new Response(json, { headers: { "content-type": "application/json", "server-timing": serverTiming } });
};

/** POST /api/v1/webhooks/registry/{registryId}: no session; the registry's webhook secret authenticates the call. */
export async function webhookRoute(req: Request, registryId: string, body?: Buffer): Promise<Response> {
  try {
    const result = await receiveWebhook(registryId, req, clientAddress(req.headers), body);
    metrics.webhookEvents.inc({ result: "accepted" }, result.accepted);
    metrics.webhookEvents.inc({ result: "duplicate" }, result.duplicates);
    metrics.webhookEvents.inc({ result: "ignored" }, result.ignored);
    return Response.json(result, { status: 202 });
  } catch (err) {
    // a refused delivery counts once, whatever it carried
    metrics.webhookEvents.inc({ result: "rejected" });
    return errorJson(err, req.headers.get("x-request-id"));
  }
}

const WEBHOOK_PATH = /^\/api\/v1\/webhooks\/registry\/([^/]+)$/;
const TAGS_PATH = /^\/api\/v1\/registries\/([^/]+)\/tags$/;
const tagsForTokens = guarded(tokenActor, "VIEWER", listTagsRoute);

function segment(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/**
 * For the front server: the handler of a request it may answer itself, or undefined (Next answers).
 * The front reads the body itself and passes it beside a bodiless Request (no stream to read again).
 * The tag list is served here for API tokens only; a browser's session cookie goes through Next.
 */
export function machineRoute(method: string, path: string, authorization: string | undefined): ((req: Request, body?: Buffer) => Promise<Response>) | undefined {
  let m: RegExpExecArray | null;
  if (method === "POST" && (m = WEBHOOK_PATH.exec(path))) {
    const id = segment(m[1]!);
    return id === undefined ? undefined : (req, body) => webhookRoute(req, id, body);
  }
  if (method === "GET" && authorization && /^Bearer\s/i.test(authorization) && (m = TAGS_PATH.exec(path))) {
    const id = segment(m[1]!);
    return id === undefined ? undefined : (req) => tagsForTokens(req, { params: Promise.resolve({ id }) });
  }
  return undefined;
}

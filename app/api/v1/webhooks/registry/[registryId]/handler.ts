// POST /api/v1/webhooks/registry/{registryId}, framework-free: Next's route (./route.ts) serves it,
// and so does the server of `npm start` (../../../machine-routes.ts, scripts/lib/server.ts) without
// Next's per-request cost, for bursts of registry notifications. Same code, same answers either way.
import { errorJson } from "@/lib/api/errors";
import { clientAddress } from "@/lib/auth/actor";
import { metrics } from "@/lib/observability/metrics";
import { BodyTooLarge, requestBodyBounded } from "@/lib/bounded-read";
import { receiveWebhook, WEBHOOK_BODY_LIMIT, webhookTooLarge } from "@/lib/services/webhooks";

/** No session: the registry's webhook secret authenticates the call. The body may come read already (the server's limit). */
export async function webhookRoute(req: Request, registryId: string, body?: Buffer): Promise<Response> {
  try {
    const delivery = { headers: req.headers, body: await webhookBody(req, body), secretParam: new URL(req.url).searchParams.get("secret") };
    const result = await receiveWebhook(registryId, delivery, clientAddress(req.headers));
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

/** The body, at most WEBHOOK_BODY_LIMIT bytes: from the request's stream, or as already read by the server. */
async function webhookBody(req: Request, read?: Buffer): Promise<Buffer> {
  try {
    const bytes = await requestBodyBounded(req, WEBHOOK_BODY_LIMIT, read);
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (e) {
    throw e instanceof BodyTooLarge ? webhookTooLarge() : e;
  }
}

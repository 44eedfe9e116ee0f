// POST /api/v1/webhooks/registry/{registryId}, framework-free: Next's route (./route.ts) serves it,
// and so does the server of `npm start` (../../../machine-routes.ts, scripts/lib/server.ts) without
// Next's per-request cost, for bursts of registry notifications. Same code, same answers either way.
import { errorJson } from "@/lib/api/errors";
import { clientAddress } from "@/lib/auth/actor";
import { metrics } from "@/lib/observability/metrics";
import { receiveWebhook } from "@/lib/services/webhooks";

/** No session: the registry's webhook secret authenticates the call. The body may come read already (the server's limit). */
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

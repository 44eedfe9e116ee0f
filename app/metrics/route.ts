// GET /metrics: Prometheus text format (REGATTA_METRICS_TOKEN, when set, as a bearer token).
import { internalCaller, metricsAllowed, metricsDenied } from "@/lib/observability/metrics-access";
import { CONTENT_TYPE, metricsJson, metricsText } from "@/lib/observability/metrics";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  if (internalCaller(req.headers)) return Response.json(await metricsJson());
  if (!metricsAllowed(req.headers)) return metricsDenied();
  return new Response(await metricsText(), { headers: { "content-type": CONTENT_TYPE, "cache-control": "no-store" } });
}

// GET /metrics: Prometheus text format (REGATTA_METRICS_TOKEN, when set, as a bearer token).
// (`npm start` answers /metrics in its server, scripts/start.ts, with the same registry; this route
// serves a bare `next dev`/`next start`.)
import { metricsAllowed, metricsDenied } from "@/lib/observability/metrics-access";
import { CONTENT_TYPE, metricsText } from "@/lib/observability/metrics";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  if (!metricsAllowed(req.headers)) return metricsDenied();
  return new Response(await metricsText(), { headers: { "content-type": CONTENT_TYPE, "cache-control": "no-store" } });
}

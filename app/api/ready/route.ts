// GET /api/ready: readiness (no session). 200 { ok: true } or 503 { ok: false, failing: [...] }.
import { readiness } from "@/lib/observability/ready";

export const dynamic = "force-dynamic";

export async function GET() {
  const r = await readiness();
  return Response.json(r.ok ? { ok: true } : r, { status: r.ok ? 200 : 503, headers: { "cache-control": "no-store" } });
}

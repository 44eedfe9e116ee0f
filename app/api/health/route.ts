// GET /api/health: liveness. The process answers; nothing else is checked (no session needed).
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ ok: true }, { headers: { "cache-control": "no-store" } });
}

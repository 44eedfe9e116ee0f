// Who may read /metrics: anyone when REGATTA_METRICS_TOKEN is unset (keep the port private then),
// otherwise `Authorization: Bearer <that token>`.
import { createHash, timingSafeEqual } from "node:crypto";

function same(a: string, b: string): boolean {
  const h = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

export function metricsAllowed(h: Headers): boolean {
  const want = process.env.REGATTA_METRICS_TOKEN;
  if (!want) return true;
  const got = h.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return !!got && same(got, want);
}

export const metricsDenied = () =>
  Response.json({ error: { code: "UNAUTHENTICATED", message: "send the metrics token as Authorization: Bearer <REGATTA_METRICS_TOKEN>" } }, { status: 401, headers: { "www-authenticate": "Bearer" } });

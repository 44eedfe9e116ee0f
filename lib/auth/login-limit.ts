import "server-only";
// Failed sign-ins are counted in PostgreSQL, so every instance sees the same count. An email backs
// off per address it is tried from (5 failures per email and address in 15 minutes), so nobody
// can lock someone else out by failing from elsewhere; an address backs off after 30 failures over
// any emails. The limit applies whether or not a user has the email, so the answer reveals nothing.
import { db } from "@/lib/db";

const WINDOW_MS = 15 * 60_000;
const PER_EMAIL_AND_ADDRESS = 5;
const PER_ADDRESS = 30;

const pairKey = (email: string, ip: string | null) => `email:${email.toLowerCase()}|ip:${ip ?? "unknown"}`;

function keys(email: string, ip: string | null): { key: string; limit: number }[] {
  return [{ key: pairKey(email, ip), limit: PER_EMAIL_AND_ADDRESS }, ...(ip ? [{ key: `ip:${ip}`, limit: PER_ADDRESS }] : [])];
}

/** Seconds to wait before another attempt, or 0 when one is allowed. */
export async function loginRetryAfter(email: string, ip: string | null): Promise<number> {
  const since = new Date(Date.now() - WINDOW_MS);
  for (const { key, limit } of keys(email, ip)) {
    const recent = await db.loginFailure.findMany({ where: { key, at: { gte: since } }, orderBy: { at: "desc" }, take: limit, select: { at: true } });
    if (recent.length >= limit) {
      const oldest = recent[recent.length - 1].at.getTime();
      return Math.max(1, Math.ceil((oldest + WINDOW_MS - Date.now()) / 1000));
    }
  }
  return 0;
}

export async function recordLoginFailure(email: string, ip: string | null) {
  await db.loginFailure.createMany({ data: keys(email, ip).map(({ key }) => ({ key })) });
  await db.loginFailure.deleteMany({ where: { at: { lt: new Date(Date.now() - 2 * WINDOW_MS) } } });
}

/** After a good password: that email's failures from this address are forgotten. */
export async function clearLoginFailures(email: string, ip: string | null) {
  await db.loginFailure.deleteMany({ where: { key: pairKey(email, ip) } });
}

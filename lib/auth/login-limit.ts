import "server-only";
// Failed sign-ins are counted in PostgreSQL, so every instance sees the same count. The limit
// applies to an address whether or not a user has it, so the answer reveals nothing.
import { db } from "@/lib/db";

const WINDOW_MS = 15 * 60_000;
const PER_EMAIL = 5;
const PER_IP = 30;

function keys(email: string, ip: string | null) {
  return [`email:${email.toLowerCase()}`, ...(ip ? [`ip:${ip}`] : [])];
}

/** Seconds to wait before another attempt, or 0 when one is allowed. */
export async function loginRetryAfter(email: string, ip: string | null): Promise<number> {
  const since = new Date(Date.now() - WINDOW_MS);
  for (const key of keys(email, ip)) {
    const limit = key.startsWith("ip:") ? PER_IP : PER_EMAIL;
    const recent = await db.loginFailure.findMany({ where: { key, at: { gte: since } }, orderBy: { at: "desc" }, take: limit, select: { at: true } });
    if (recent.length >= limit) {
      const oldest = recent[recent.length - 1].at.getTime();
      return Math.max(1, Math.ceil((oldest + WINDOW_MS - Date.now()) / 1000));
    }
  }
  return 0;
}

export async function recordLoginFailure(email: string, ip: string | null) {
  await db.loginFailure.createMany({ data: keys(email, ip).map((key) => ({ key })) });
  await db.loginFailure.deleteMany({ where: { at: { lt: new Date(Date.now() - 2 * WINDOW_MS) } } });
}

export async function clearLoginFailures(email: string) {
  await db.loginFailure.deleteMany({ where: { key: `email:${email.toLowerCase()}` } });
}

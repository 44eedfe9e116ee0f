import "server-only";
// Personal API tokens: "rgt_" + 32 random bytes (base64url). Only SHA-256 of a token is stored;
// the token itself is shown once, when it is made.
import { createHash, randomBytes } from "node:crypto";
import { db } from "@/lib/db";

export const TOKEN_PREFIX = "rgt_";

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

/** The days a new token lives unless its maker says otherwise; REGATTA_TOKEN_DEFAULT_DAYS overrides. */
export function defaultTokenDays(): number {
  const n = Number(process.env.REGATTA_TOKEN_DEFAULT_DAYS);
  return Number.isInteger(n) && n >= 1 && n <= 3650 ? n : 90;
}

/** The user a bearer token acts for and the token's scope, or null when it is unknown, expired or revoked. */
export async function userForToken(token: string) {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const row = await db.apiToken.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: true } });
  if (!row || (row.expiresAt && row.expiresAt < new Date())) return null;
  // at most one write a minute per token; a token revoked between the read and this write (its owner
  // demoted or removed at the same moment) is gone: no row touched means no token
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    const { count } = await db.apiToken.updateMany({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
    if (count === 0) return null;
  }
  return { ...row.user, scope: row.scope, registryIds: row.registryIds ?? [] };
}

import "server-only";
// Personal API tokens: "rgt_" + 32 random bytes (base64url). Only SHA-256 of a token is stored;
// the token itself is shown once, when it is made.
import { createHash, randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import type { Role, TokenScope } from "@/lib/generated/prisma/client";

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

/**
 * The user a bearer token acts for and the token's scope, or null when it is unknown, expired or
 * revoked. One round trip (the token joined with its user): every API-token request waits on it.
 */
export async function userForToken(token: string) {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const [row] = await db.$queryRaw<{ tokenId: string; lastUsedAt: Date | null; scope: TokenScope; registryIds: string[]; id: string; email: string; name: string | null; role: Role }[]>`
    SELECT t."id" AS "tokenId", t."lastUsedAt", t."scope"::text AS "scope", t."registryIds"::text[] AS "registryIds",
           u."id", u."email", u."name", u."role"::text AS "role"
    FROM "ApiToken" t JOIN "User" u ON u."id" = t."userId"
    WHERE t."tokenHash" = ${hashToken(token)} AND (t."expiresAt" IS NULL OR t."expiresAt" >= now())`;
  if (!row) return null;
  const { tokenId, lastUsedAt, scope, registryIds, ...user } = row;
  // at most one write a minute per token; a token revoked between the read and this write (its owner
  // demoted or removed at the same moment) is gone: no row touched means no token
  if (!lastUsedAt || Date.now() - lastUsedAt.getTime() > 60_000) {
    const { count } = await db.apiToken.updateMany({ where: { id: tokenId }, data: { lastUsedAt: new Date() } });
    if (count === 0) return null;
  }
  return { ...user, scope, registryIds: registryIds ?? [] };
}

import "server-only";
// Personal API tokens: a person makes and revokes their own; each acts with its owner's role, and a
// READ token only reads. Every token expires (90 days unless its maker chooses). Admins see and
// revoke everyone's.
import { forbidden, notFound } from "@/lib/errors";
import { appendAudit } from "@/lib/audit/log";
import { defaultTokenDays, hashToken, newToken } from "@/lib/auth/api-tokens";
import { canSee } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/guard";
import { hasRole } from "@/lib/schemas/roles";
import { db } from "@/lib/db";
import { isId } from "@/lib/schemas/id";
import { tokenCreateSchema, type TokenView } from "@/lib/schemas/user";

type Row = Awaited<ReturnType<typeof db.apiToken.findFirstOrThrow>> & { user?: { id: string; email: string } };

const toView = (t: Row): TokenView => ({
  id: t.id, name: t.name, prefix: t.prefix, createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null, expiresAt: t.expiresAt?.toISOString() ?? null, scope: t.scope,
  registryIds: t.registryIds ?? [],
  ...(t.user ? { owner: { id: t.user.id, email: t.user.email } } : {}),
});

export async function listTokens(actor: Actor): Promise<TokenView[]> {
  return (await db.apiToken.findMany({ where: { userId: actor.id }, orderBy: { createdAt: "desc" } })).map(toView);
}

/** Everyone's tokens, with their owners: for admins. */
export async function listAllTokens(actor: Actor): Promise<TokenView[]> {
  if (!hasRole(actor.role, "ADMIN")) throw forbidden("only admins see everyone's tokens");
  const rows = await db.apiToken.findMany({ orderBy: { createdAt: "desc" }, take: 1000, include: { user: { select: { id: true, email: true } } } });
  return rows.map(toView);
}

export async function createToken(actor: Actor, body: unknown): Promise<TokenView & { token: string }> {
  const input = tokenCreateSchema.parse(body);
  const token = newToken();
  const days = input.expiresInDays ?? defaultTokenDays();
  const registryIds = [...new Set(input.registryIds ?? [])];
  // a token never reaches further than its maker: a registry they cannot see is not there for them
  for (const id of registryIds) if (!(await canSee(actor, id))) throw notFound(`registry ${id}`);
  const row = await db.apiToken.create({
    data: {
      userId: actor.id, name: input.name, tokenHash: hashToken(token), prefix: token.slice(0, 10), scope: input.scope, registryIds,
      expiresAt: new Date(Date.now() + days * 86_400_000),
    },
  });
  await appendAudit({ actorKind: "USER", actor: actor.email, action: "token.create", outcome: "success", sourceAddress: actor.address, details: { name: input.name, prefix: row.prefix, scope: row.scope, registryIds, expiresAt: row.expiresAt?.toISOString() } });
  return { ...toView(row), token };
}

/** Revokes one token: its owner's own, or anyone's for an admin. */
export async function revokeToken(actor: Actor, id: string): Promise<void> {
  const admin = hasRole(actor.role, "ADMIN");
  const row = isId(id)
    ? await db.apiToken.findFirst({ where: { id, ...(admin ? {} : { userId: actor.id }) }, include: { user: { select: { email: true } } } })
    : null;
  if (!row) throw notFound(`token ${id}`);
  await db.apiToken.delete({ where: { id } });
  await appendAudit({ actorKind: "USER", actor: actor.email, action: "token.revoke", outcome: "success", sourceAddress: actor.address, details: { name: row.name, prefix: row.prefix, owner: row.user.email } });
}

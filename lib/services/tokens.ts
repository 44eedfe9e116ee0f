import "server-only";
// Personal API tokens: a person makes and revokes their own; each acts with its owner's role.
import { notFound } from "@/lib/api/errors";
import { appendAudit } from "@/lib/audit/log";
import { hashToken, newToken } from "@/lib/auth/api-tokens";
import type { Actor } from "@/lib/auth/guard";
import { db } from "@/lib/db";
import { tokenCreateSchema, type TokenView } from "@/lib/schemas/user";

type Row = Awaited<ReturnType<typeof db.apiToken.findFirstOrThrow>>;

const toView = (t: Row): TokenView => ({
  id: t.id, name: t.name, prefix: t.prefix, createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null, expiresAt: t.expiresAt?.toISOString() ?? null,
});

export async function listTokens(actor: Actor): Promise<TokenView[]> {
  return (await db.apiToken.findMany({ where: { userId: actor.id }, orderBy: { createdAt: "desc" } })).map(toView);
}

export async function createToken(actor: Actor, body: unknown): Promise<TokenView & { token: string }> {
  const input = tokenCreateSchema.parse(body);
  const token = newToken();
  const row = await db.apiToken.create({
    data: {
      userId: actor.id, name: input.name, tokenHash: hashToken(token), prefix: token.slice(0, 10),
      expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
    },
  });
  await appendAudit({ actorKind: "USER", actor: actor.email, action: "token.create", outcome: "success", sourceAddress: actor.address, details: { name: input.name, prefix: row.prefix } });
  return { ...toView(row), token };
}

export async function revokeToken(actor: Actor, id: string): Promise<void> {
  const row = /^[0-9a-f-]{36}$/i.test(id) ? await db.apiToken.findFirst({ where: { id, userId: actor.id } }) : null;
  if (!row) throw notFound(`token ${id}`);
  await db.apiToken.delete({ where: { id } });
  await appendAudit({ actorKind: "USER", actor: actor.email, action: "token.revoke", outcome: "success", sourceAddress: actor.address, details: { name: row.name, prefix: row.prefix } });
}

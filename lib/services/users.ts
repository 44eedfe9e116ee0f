import "server-only";
// People and their roles. The last admin cannot be demoted or removed.
import { conflict, badRequest, notFound } from "@/lib/api/errors";
import { appendAudit } from "@/lib/audit/log";
import type { Actor } from "@/lib/auth/guard";
import { hashPassword } from "@/lib/auth/password";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { userCreateSchema, userUpdateSchema, type UserView } from "@/lib/schemas/user";

type Row = Awaited<ReturnType<typeof db.user.findFirstOrThrow>>;

function toView(u: Row): UserView {
  return { id: u.id, email: u.email, name: u.name, role: u.role, external: !!u.externalId, createdAt: u.createdAt.toISOString(), lastLoginAt: u.lastLoginAt?.toISOString() ?? null };
}

export async function listUsers(): Promise<UserView[]> {
  return (await db.user.findMany({ orderBy: { email: "asc" } })).map(toView);
}

async function find(id: string): Promise<Row> {
  const u = /^[0-9a-f-]{36}$/i.test(id) ? await db.user.findUnique({ where: { id } }) : null;
  if (!u) throw notFound(`user ${id}`);
  return u;
}

const audit = (actor: Actor, action: string, target: string, details: Record<string, unknown> = {}) =>
  appendAudit({ actorKind: "USER", actor: actor.email, action, outcome: "success", sourceAddress: actor.address, details: { user: target, ...details } });

export async function createUser(actor: Actor, body: unknown): Promise<UserView> {
  const input = userCreateSchema.parse(body);
  try {
    const u = await db.user.create({ data: { email: input.email, name: input.name || null, role: input.role, passwordHash: await hashPassword(input.password) } });
    await audit(actor, "user.create", u.email, { role: u.role });
    return toView(u);
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw conflict(`a user with email ${input.email} already exists`, { issues: [{ field: "email", message: "already taken" }] });
    }
    throw err;
  }
}

async function otherAdmins(id: string) {
  return db.user.count({ where: { role: "ADMIN", id: { not: id } } });
}

export async function updateUser(actor: Actor, id: string, body: unknown): Promise<UserView> {
  const current = await find(id);
  const input = userUpdateSchema.parse(body);
  if (input.role && input.role !== "ADMIN" && current.role === "ADMIN" && (await otherAdmins(id)) === 0) {
    throw badRequest("this is the last admin: make someone else an admin first");
  }
  const u = await db.user.update({
    where: { id },
    data: { name: input.name, role: input.role, passwordHash: input.password ? await hashPassword(input.password) : undefined },
  });
  await audit(actor, "user.update", u.email, { ...(input.role && input.role !== current.role ? { role: { from: current.role, to: input.role } } : {}), password: !!input.password });
  return toView(u);
}

export async function deleteUser(actor: Actor, id: string): Promise<void> {
  const current = await find(id);
  if (current.role === "ADMIN" && (await otherAdmins(id)) === 0) throw badRequest("this is the last admin and cannot be removed");
  if (current.id === actor.id) throw badRequest("you cannot remove yourself; ask another admin");
  await db.user.delete({ where: { id } });
  await audit(actor, "user.delete", current.email);
}

import "server-only";
// People and their roles. The last admin cannot be demoted or removed.
import { conflict, badRequest, notFound } from "@/lib/errors";
import { appendAudit } from "@/lib/audit/log";
import type { Actor } from "@/lib/auth/guard";
import { hashPassword } from "@/lib/auth/password";
import { GLOBAL_ROLES, type GlobalRole } from "@/lib/schemas/roles";
import { db } from "@/lib/db";
import { isId } from "@/lib/schemas/id";
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
  const u = isId(id) ? await db.user.findUnique({ where: { id } }) : null;
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

// One lock for every change that can take the admin role away (demote, delete): two at once would
// each count the other as the remaining admin and leave none.
const ADMINS_LOCK = 0x7265_6761_6164n; // "regad"

type Tx = Parameters<Parameters<typeof db.$transaction>[0]>[0];

/**
 * Role changes and removals queue on one lock, each holding a pooled connection while it waits: a
 * burst of them (admins demoting each other at once) must not fail for want of a connection or of
 * time (Prisma's defaults: 2 s to get one, 5 s in all). Each one is a few short statements.
 */
const ADMIN_CHANGE_TX = { maxWait: 30_000, timeout: 60_000 };

/** Role changes and removals take turns: taken before the person is read, so what is read is current. */
async function lockAdmins(tx: Tx) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMINS_LOCK})`;
}

async function otherAdmins(tx: Tx, id: string) {
  return tx.user.count({ where: { role: "ADMIN", id: { not: id } } });
}

const rank = (r: GlobalRole) => GLOBAL_ROLES.indexOf(r);

export async function updateUser(actor: Actor, id: string, body: unknown): Promise<UserView> {
  await find(id);
  const input = userUpdateSchema.parse(body);
  const passwordHash = input.password ? await hashPassword(input.password) : undefined;
  const { before, after, revoked } = await db.$transaction(async (tx) => {
    await lockAdmins(tx);
    const current = await tx.user.findUnique({ where: { id } });
    if (!current) throw notFound(`user ${id}`);
    if (input.role && input.role !== "ADMIN" && current.role === "ADMIN" && (await otherAdmins(tx, id)) === 0) {
      throw badRequest("this is the last admin: make someone else an admin first");
    }
    // a new password or a lower role ends the person's sessions and API tokens
    const endSessions = !!passwordHash || (!!input.role && rank(input.role) < rank(current.role));
    const u = await tx.user.update({
      where: { id },
      data: { name: input.name, role: input.role, passwordHash, ...(endSessions ? { sessionVersion: { increment: 1 } } : {}) },
    });
    const gone = endSessions ? (await tx.apiToken.deleteMany({ where: { userId: id } })).count : 0;
    return { before: current, after: u, revoked: endSessions ? { sessions: true, tokens: gone } : undefined };
  }, ADMIN_CHANGE_TX);
  await audit(actor, "user.update", after.email, {
    ...(input.role && input.role !== before.role ? { role: { from: before.role, to: input.role } } : {}), password: !!input.password,
    ...(revoked ? { revoked } : {}),
  });
  return toView(after);
}

export async function deleteUser(actor: Actor, id: string): Promise<void> {
  const current = await find(id);
  if (current.id === actor.id) throw badRequest("you cannot remove yourself; ask another admin");
  await db.$transaction(async (tx) => {
    await lockAdmins(tx);
    const now = await tx.user.findUnique({ where: { id } });
    if (!now) throw notFound(`user ${id}`);
    if (now.role === "ADMIN" && (await otherAdmins(tx, id)) === 0) throw badRequest("this is the last admin and cannot be removed");
    await tx.user.delete({ where: { id } });
  }, ADMIN_CHANGE_TX);
  await audit(actor, "user.delete", current.email);
}

import "server-only";
// Teams, their members and their grants (registry × repository glob × role). Global admins only.
// Rights are read at each request (lib/auth/access.ts): a removed member or grant counts at once.
import { conflict, forbidden, notFound } from "@/lib/errors";
import { appendAudit } from "@/lib/audit/log";
import { grantsOf } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/guard";
import { hasRole } from "@/lib/schemas/roles";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { grantCreateSchema, teamCreateSchema, teamMemberSchema, teamUpdateSchema, type GrantView, type MyAccessView, type TeamView } from "@/lib/schemas/team";

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

const include = {
  members: { include: { user: { select: { email: true } } }, orderBy: { addedAt: "asc" } },
  grants: { include: { registry: { select: { name: true } } }, orderBy: { createdAt: "asc" } },
} as const;

type Row = Prisma.TeamGetPayload<{ include: typeof include }>;
type GrantRow = Prisma.GrantGetPayload<{ include: { registry: { select: { name: true } } } }>;

const grantView = (g: GrantRow): GrantView => ({
  id: g.id, teamId: g.teamId, registryId: g.registryId, registryName: g.registry.name, repositoryGlob: g.repositoryGlob,
  role: g.role === "NONE" ? "VIEWER" : g.role, mayPublish: g.mayPublish,
});

const toView = (t: Row): TeamView => ({
  id: t.id, name: t.name, oidcGroup: t.oidcGroup,
  members: t.members.map((m) => ({ userId: m.userId, email: m.user.email, fromOidc: m.fromOidc })),
  grants: t.grants.map(grantView),
});

function adminOnly(actor: Actor) {
  if (!hasRole(actor.role, "ADMIN")) throw forbidden("only admins manage teams");
}

const audit = (actor: Actor, action: string, outcome: "success" | "failure", details: Record<string, unknown>, registryId?: string) =>
  appendAudit({ actorKind: "USER", actor: actor.email, action, outcome, registryId: registryId ?? null, sourceAddress: actor.address, details });

async function team(id: string): Promise<Row> {
  const t = isUuid(id) ? await db.team.findUnique({ where: { id }, include }) : null;
  if (!t) throw notFound(`team ${id}`);
  return t;
}

function unique(err: unknown, what: string): unknown {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
    const field = String((err.meta as { target?: unknown } | undefined)?.target ?? "").includes("oidcGroup") ? "oidcGroup" : "name";
    return conflict(`another team already has this ${field === "name" ? "name" : "OIDC group"}: ${what}`, { issues: [{ field, message: "already taken" }] });
  }
  return err;
}

export async function listTeams(actor: Actor): Promise<TeamView[]> {
  adminOnly(actor);
  return (await db.team.findMany({ include, orderBy: { name: "asc" }, take: 500 })).map(toView);
}

export async function createTeam(actor: Actor, body: unknown): Promise<TeamView> {
  adminOnly(actor);
  const input = teamCreateSchema.parse(body);
  try {
    const t = await db.team.create({ data: { name: input.name, oidcGroup: input.oidcGroup ?? null }, include });
    await audit(actor, "team.create", "success", { team: t.name, oidcGroup: t.oidcGroup });
    return toView(t);
  } catch (e) {
    throw unique(e, input.name);
  }
}

export async function updateTeam(actor: Actor, id: string, body: unknown): Promise<TeamView> {
  adminOnly(actor);
  const before = await team(id);
  const input = teamUpdateSchema.parse(body);
  try {
    const t = await db.team.update({ where: { id: before.id }, data: { name: input.name, oidcGroup: input.oidcGroup }, include });
    await audit(actor, "team.update", "success", { team: t.name, ...(input.name && input.name !== before.name ? { name: { from: before.name, to: t.name } } : {}), ...(input.oidcGroup !== undefined ? { oidcGroup: t.oidcGroup } : {}) });
    return toView(t);
  } catch (e) {
    throw unique(e, input.name ?? input.oidcGroup ?? "");
  }
}

export async function deleteTeam(actor: Actor, id: string): Promise<void> {
  adminOnly(actor);
  const t = await team(id);
  await db.team.delete({ where: { id: t.id } });
  await audit(actor, "team.delete", "success", { team: t.name, members: t.members.length, grants: t.grants.length });
}

export async function addMember(actor: Actor, id: string, body: unknown): Promise<TeamView> {
  adminOnly(actor);
  const t = await team(id);
  const { userId } = teamMemberSchema.parse(body);
  const user = await db.user.findUnique({ where: { id: userId } });
  if (!user) throw notFound(`user ${userId}`);
  await db.teamMember.upsert({ where: { teamId_userId: { teamId: t.id, userId } }, create: { teamId: t.id, userId }, update: { fromOidc: false } });
  await audit(actor, "team.member.add", "success", { team: t.name, user: user.email });
  return toView(await team(t.id));
}

export async function removeMember(actor: Actor, id: string, userId: string): Promise<void> {
  adminOnly(actor);
  const t = await team(id);
  const m = t.members.find((x) => x.userId === userId);
  if (!m) throw notFound(`member ${userId}`);
  await db.teamMember.delete({ where: { teamId_userId: { teamId: t.id, userId } } });
  await audit(actor, "team.member.remove", "success", { team: t.name, user: m.user.email });
}

export async function addGrant(actor: Actor, id: string, body: unknown): Promise<GrantView> {
  adminOnly(actor);
  const t = await team(id);
  const input = grantCreateSchema.parse(body);
  const registry = await db.registry.findUnique({ where: { id: input.registryId }, select: { id: true } });
  if (!registry) throw notFound(`registry ${input.registryId}`);
  const g = await db.grant.create({
    data: { teamId: t.id, registryId: input.registryId, repositoryGlob: input.repositoryGlob ?? "*", role: input.role, mayPublish: input.mayPublish ?? false },
    include: { registry: { select: { name: true } } },
  });
  await audit(actor, "team.grant.add", "success", { team: t.name, registry: g.registry.name, repositoryGlob: g.repositoryGlob, role: g.role, mayPublish: g.mayPublish }, g.registryId);
  return grantView(g);
}

export async function removeGrant(actor: Actor, id: string, grantId: string): Promise<void> {
  adminOnly(actor);
  const t = await team(id);
  const g = t.grants.find((x) => x.id === grantId);
  if (!g) throw notFound(`grant ${grantId}`);
  await db.grant.delete({ where: { id: g.id } });
  await audit(actor, "team.grant.remove", "success", { team: t.name, registry: g.registry.name, repositoryGlob: g.repositoryGlob, role: g.role }, g.registryId);
}

/** What the asker may see and do, and why (which team, which grant). */
export async function myAccess(actor: Actor): Promise<MyAccessView> {
  const [grants, teams] = await Promise.all([
    grantsOf(actor.id),
    db.team.findMany({ where: { members: { some: { userId: actor.id } } }, select: { id: true, name: true }, orderBy: { name: "asc" } }),
  ]);
  const names = new Map((await db.registry.findMany({ where: { id: { in: grants.map((g) => g.registryId) } }, select: { id: true, name: true } })).map((r) => [r.id, r.name]));
  return {
    role: actor.role, teams,
    grants: grants.map((g) => ({ id: g.id, teamId: g.teamId, teamName: g.teamName, registryId: g.registryId, registryName: names.get(g.registryId) ?? g.registryId, repositoryGlob: g.repositoryGlob, role: g.role, mayPublish: g.mayPublish })),
    ...(actor.tokenRegistryIds?.length ? { tokenRegistryIds: actor.tokenRegistryIds } : {}),
  };
}

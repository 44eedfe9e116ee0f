import "server-only";
// What one person (or one of their API tokens) may see and do, registry by registry: the one
// place that answers it. Rights are the union of the global role (NONE: none) and the grants of
// the person's teams (registry × repository glob × role); a token limited to some registries is
// the intersection of that with its list, evaluated at each use. Something not visible is
// missing: callers answer 404, never 403.
import { forbidden, notFound } from "@/lib/errors";
import { db } from "@/lib/db";
import { isId } from "@/lib/schemas/id";
import { globToRe2 } from "@/lib/glob";
import { globMatch } from "@/lib/glob-match";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Actor } from "./actor";
import { hasRole, maxRole, type GlobalRole, type Role } from "@/lib/schemas/roles";

export interface AccessGrant {
  id: string;
  teamId: string;
  teamName: string;
  registryId: string;
  repositoryGlob: string;
  role: Role;
  mayPublish: boolean;
}

export interface Access {
  global: GlobalRole;
  grants: AccessGrant[];
  /** a token limited to these registries; null: no limit */
  tokenRegistries: ReadonlySet<string> | null;
}

type Who = Pick<Actor, "id" | "role" | "tokenRegistryIds">;

const loaded = new WeakMap<object, Promise<Access>>();

/** The grants of a person's teams (one query). */
export async function grantsOf(userId: string): Promise<AccessGrant[]> {
  if (!isId(userId)) return [];
  const rows = await db.grant.findMany({
    where: { team: { members: { some: { userId } } } },
    include: { team: { select: { name: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows
    .filter((g) => g.role !== "NONE")
    .map((g) => ({ id: g.id, teamId: g.teamId, teamName: g.team.name, registryId: g.registryId, repositoryGlob: g.repositoryGlob, role: g.role as Role, mayPublish: g.mayPublish }));
}

/** The actor's access, loaded once per actor object (one request). */
export function accessOf(actor: Who): Promise<Access> {
  let p = loaded.get(actor);
  if (!p) {
    const tokenRegistries = tokenRegistriesOf(actor);
    p = grantsOf(actor.id).then((grants) => ({ global: actor.role, grants, tokenRegistries }));
    loaded.set(actor, p);
  }
  return p;
}

const WHOLE = new Set(["*", "**"]);

/** The registries the actor's token is limited to; null: no limit (a session, or a token for all). */
function tokenRegistriesOf(actor: Who): ReadonlySet<string> | null {
  return actor.tokenRegistryIds?.length ? new Set(actor.tokenRegistryIds) : null;
}

function inToken(a: Pick<Access, "tokenRegistries">, registryId: string) {
  return !a.tokenRegistries || a.tokenRegistries.has(registryId);
}

/**
 * The role on a registry: with a repository, the grants whose glob matches it; without one, only
 * grants on the whole registry (glob `*`), or any grant at all when `anyGlob` (seeing the registry).
 */
export function roleIn(a: Access, registryId: string, repository?: string, anyGlob = false): GlobalRole {
  if (!inToken(a, registryId)) return "NONE";
  let role: GlobalRole = a.global;
  for (const g of a.grants) {
    if (g.registryId !== registryId) continue;
    const covers = repository !== undefined ? globMatch(g.repositoryGlob, repository) : anyGlob || WHOLE.has(g.repositoryGlob);
    if (covers) role = maxRole(role, g.role);
  }
  return role;
}

/** The highest role any grant gives (the route guard lets such a person in; the data is filtered after). */
export function highestRole(a: Access): GlobalRole {
  return a.grants.reduce<GlobalRole>((m, g) => (inToken(a, g.registryId) ? maxRole(m, g.role) : m), a.global);
}

/** Whether a route that needs `role` may be entered at all (per-registry checks come after). */
export async function routeAllows(actor: Who, role: Role): Promise<boolean> {
  if (hasRole(actor.role, role)) return true;
  // global admin routes stay global; a registry admin gets in where the route checks the registry itself
  if (role === "ADMIN") return false;
  return hasRole(highestRole(await accessOf(actor)), role);
}

/** The registries the actor may see: null means every one. */
export async function visibleRegistryIds(actor: Who): Promise<string[] | null> {
  const a = await accessOf(actor);
  if (hasRole(a.global, "VIEWER") && !a.tokenRegistries) return null;
  const ids = new Set<string>();
  if (hasRole(a.global, "VIEWER")) for (const id of a.tokenRegistries!) ids.add(id);
  for (const g of a.grants) if (inToken(a, g.registryId)) ids.add(g.registryId);
  return [...ids];
}

/** A Prisma `where` piece limiting rows with a `registryId` column to the visible registries. */
export async function registryWhere(actor: Who): Promise<{ registryId?: { in: string[] } }> {
  const ids = await visibleRegistryIds(actor);
  return ids ? { registryId: { in: ids } } : {};
}

export async function canSee(actor: Who, registryId: string, repository?: string): Promise<boolean> {
  // grants only raise a role: a global viewer sees all its token allows, with no read of its grants
  if (hasRole(actor.role, "VIEWER") && inToken({ tokenRegistries: tokenRegistriesOf(actor) }, registryId)) return true;
  return hasRole(roleIn(await accessOf(actor), registryId, repository, repository === undefined), "VIEWER");
}

/** 404 (as if missing) unless the actor may see the registry (and the repository). */
export async function requireSee(actor: Who, registryId: string, repository?: string): Promise<void> {
  if (await canSee(actor, registryId)) {
    if (repository === undefined || (await canSee(actor, registryId, repository))) return;
    throw notFound(`repository ${repository}`);
  }
  throw notFound(`registry ${registryId}`);
}

/** 404 when not visible; 403 when visible but the role there is too low. */
export async function requireGrant(actor: Who, role: Role, registryId: string, repository?: string): Promise<void> {
  await requireSee(actor, registryId, repository);
  const have = roleIn(await accessOf(actor), registryId, repository);
  if (!hasRole(have, role)) {
    throw forbidden(`this needs the ${role} role on ${repository ?? "this registry"}; you have ${have === "NONE" ? "no grant" : have} there`);
  }
}

/**
 * Registry administration (protection rules, pipeline stages): a global admin anywhere; a registry
 * admin (a team grant with the ADMIN role on the whole registry) on that registry only. Call it
 * first with no registry (403 for anyone who administers nothing, before the input is read), then
 * with the registry the change is about: null (every registry) needs the global role; a registry
 * the actor cannot see is 404.
 */
export async function requireRegistryAdmin(actor: Who, registryId?: string | null): Promise<void> {
  const a = await accessOf(actor);
  if (hasRole(a.global, "ADMIN") && !a.tokenRegistries) return;
  const refuse = () => forbidden("this needs the ADMIN role, globally or on this registry through a team");
  if (registryId === undefined) {
    if (!hasRole(highestRole(a), "ADMIN")) throw refuse();
    return;
  }
  if (registryId === null) throw forbidden("a rule or stage for every registry needs the global ADMIN role");
  await requireSee(actor, registryId);
  if (!hasRole(roleIn(a, registryId), "ADMIN")) throw refuse();
}

/** Whether the actor may publish into this repository (global admin, or a grant with OPERATOR+ and mayPublish). */
export async function mayPublish(actor: Who, registryId: string, repository: string): Promise<boolean> {
  const a = await accessOf(actor);
  if (!inToken(a, registryId)) return false;
  if (a.global === "ADMIN") return true;
  return a.grants.some((g) => g.registryId === registryId && g.mayPublish && hasRole(g.role, "OPERATOR") && globMatch(g.repositoryGlob, repository));
}

/** Registries whose audit events the actor may read: null = all (global admin), else registry-admin grants. */
export async function auditRegistryIds(actor: Who): Promise<string[] | null> {
  const a = await accessOf(actor);
  if (a.global === "ADMIN" && !a.tokenRegistries) return null;
  const ids = new Set<string>();
  if (a.global === "ADMIN") for (const id of a.tokenRegistries!) ids.add(id);
  for (const g of a.grants) if (g.role === "ADMIN" && WHOLE.has(g.repositoryGlob) && inToken(a, g.registryId)) ids.add(g.registryId);
  return [...ids];
}

/**
 * SQL that is true for rows the actor may see, given the registry id and repository columns:
 * filtering happens in the database, so a hidden registry's rows never leave it. Globs become
 * PostgreSQL regular expressions (the RE2 subset lib/glob.ts writes is valid there too).
 */
export async function visibleSql(actor: Who, registryCol: Prisma.Sql, repositoryCol: Prisma.Sql): Promise<Prisma.Sql> {
  const a = await accessOf(actor);
  if (hasRole(a.global, "VIEWER") && !a.tokenRegistries) return Prisma.sql`TRUE`;
  const whole = new Set<string>();
  const partial: Prisma.Sql[] = [];
  if (hasRole(a.global, "VIEWER")) for (const id of a.tokenRegistries!) whole.add(id);
  for (const g of a.grants) {
    if (!inToken(a, g.registryId) || whole.has(g.registryId)) continue;
    if (WHOLE.has(g.repositoryGlob)) whole.add(g.registryId);
  }
  for (const g of a.grants) {
    if (!inToken(a, g.registryId) || whole.has(g.registryId)) continue;
    let re: string;
    try {
      re = globToRe2(g.repositoryGlob);
    } catch {
      continue;
    }
    partial.push(Prisma.sql`(${registryCol} = ${g.registryId}::uuid AND ${repositoryCol} ~ ${re})`);
  }
  const parts: Prisma.Sql[] = [];
  if (whole.size) parts.push(Prisma.sql`${registryCol} = ANY(${[...whole]}::uuid[])`);
  parts.push(...partial);
  return parts.length ? Prisma.sql`(${Prisma.join(parts, " OR ")})` : Prisma.sql`FALSE`;
}

/** Filters plain rows in memory (for lists already bounded, e.g. promotions, stages). */
export async function visibleFilter(actor: Who): Promise<(registryId: string | null | undefined, repository?: string | null) => boolean> {
  const a = await accessOf(actor);
  return (registryId, repository) =>
    !!registryId && hasRole(roleIn(a, registryId, repository ?? undefined, repository == null), "VIEWER");
}

export type VisibilitySql = (registryCol: Prisma.Sql, repositoryCol: Prisma.Sql) => Promise<Prisma.Sql>;

/** The actor's visibleSql, for services that take a visibility filter. */
export function visibilityOf(actor: Who): VisibilitySql {
  return (registryCol, repositoryCol) => visibleSql(actor, registryCol, repositoryCol);
}

/** SQL limiting audit events to the registries whose events the actor may read (auditRegistryIds). */
export async function auditSql(actor: Who, registryCol: Prisma.Sql): Promise<Prisma.Sql> {
  const ids = await auditRegistryIds(actor);
  return ids === null ? Prisma.sql`TRUE` : ids.length ? Prisma.sql`${registryCol} = ANY(${ids}::uuid[])` : Prisma.sql`FALSE`;
}

/** A visibility test for rows already in memory (see visibleFilter). */
export type Visible = (registryId: string | null | undefined, repository?: string | null) => boolean;

/** 404 naming `what` (a promotion, a policy …) unless the actor may see where it lives. */
export async function requireSeeOr404(actor: Who, what: string, registryId: string, repository?: string | null): Promise<void> {
  if (!(await visibleFilter(actor))(registryId, repository)) throw notFound(what);
}

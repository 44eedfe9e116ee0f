import "server-only";
// The one role guard. Route handlers use withRole(); pages and server actions use requireRole().
// A request acts as the signed-in user (session cookie) or a token's owner (Authorization: Bearer).
import { forbidden as forbiddenPage, notFound as notFoundPage, redirect } from "next/navigation";
import { headers } from "next/headers";
import { db } from "@/lib/db";
import { bearerToken, clientAddress, guarded, tokenActor, type Actor, type Handler } from "./actor";
import { auth } from "./auth";
import { accessOf, canSee, roleIn, routeAllows } from "./access";
import type { GlobalRole, Role } from "@/lib/schemas/roles";

export type { Actor };

async function actorFrom(h: Headers): Promise<Actor | null> {
  if (bearerToken(h)) return tokenActor(h);
  const session = await auth();
  const id = session?.user?.id;
  const user = id ? await db.user.findUnique({ where: { id } }) : null;
  // a password reset or a role loss since this session was signed ends it
  if (!user || user.sessionVersion !== (session?.sessionVersion ?? 0)) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role, via: "session", address: clientAddress(h) };
}

/** For pages and server actions: the signed-in user with at least `role`, or off to sign in. */
export async function requireRole(role: Role): Promise<Actor> {
  const actor = await actorFrom(await headers());
  if (!actor) redirect("/login");
  if (!(await routeAllows(actor, role))) forbiddenPage();
  return actor;
}

/** For pages: the not-found page unless the actor may see the registry (and the repository). */
export async function requireSeePage(actor: Actor, registryId: string, repository?: string): Promise<void> {
  if (!(await canSee(actor, registryId)) || (repository !== undefined && !(await canSee(actor, registryId, repository)))) notFoundPage();
}

/** The actor's role on a registry or repository: the global role and their teams' grants. */
export async function roleAt(actor: Actor, registryId: string, repository?: string): Promise<GlobalRole> {
  return roleIn(await accessOf(actor), registryId, repository);
}

export async function currentActor(): Promise<Actor | null> {
  return actorFrom(await headers());
}

/** Wraps a route handler: authenticates (session or API token), checks the role and the origin, maps errors to JSON. */
export function withRole<P extends Record<string, string> = Record<string, string>>(role: Role, handler: Handler<P>) {
  return guarded(actorFrom, role, handler);
}

// the JSON body of a route handler (framework-free, shared with the server of `npm start`)
export { MAX_JSON_BODY_BYTES, readJson, readRequestBounded } from "@/lib/api/json-body";

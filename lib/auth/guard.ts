import "server-only";
// The one role guard. Route handlers use withRole(); pages and server actions use requireRole().
// A request acts as the signed-in user (session cookie) or a token's owner (Authorization: Bearer).
import { forbidden as forbiddenPage, notFound as notFoundPage, redirect } from "next/navigation";
import { headers } from "next/headers";
import { badRequest, tooLarge } from "@/lib/errors";
import { BodyTooLarge, readBodyBounded } from "@/lib/bounded-read";
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

/** The most bytes of a JSON request body; webhooks keep their own limit (lib/services/webhooks.ts). */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** A request body of at most MAX_JSON_BODY_BYTES, or a 413 (tooLarge) with the read stopped at the limit. */
export async function readRequestBounded(req: Request): Promise<Uint8Array> {
  try {
    return await readBodyBounded(req, MAX_JSON_BODY_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLarge) throw tooLarge(`the request body may be at most ${MAX_JSON_BODY_BYTES} bytes`);
    throw e;
  }
}

/**
 * Reads a JSON body of at most MAX_JSON_BODY_BYTES: a larger one (declared or streamed) is a 413
 * before anything is parsed, the read stopping at the limit; a body that is not JSON is a 400.
 */
export async function readJson(req: Request): Promise<unknown> {
  const text = new TextDecoder().decode(await readRequestBounded(req));
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("the request body is not valid JSON");
  }
}

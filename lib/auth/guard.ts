import "server-only";
// The one role guard. Route handlers use withRole(); pages and server actions use requireRole().
// A request acts as the signed-in user (session cookie) or a token's owner (Authorization: Bearer).
import { forbidden as forbiddenPage, redirect } from "next/navigation";
import { headers } from "next/headers";
import { ApiError } from "@/lib/api/errors";
import { db } from "@/lib/db";
import { bearerToken, clientAddress, guarded, tokenActor, type Actor, type Handler } from "./actor";
import { auth } from "./auth";
import { hasRole, type Role } from "./roles";

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
  if (!hasRole(actor.role, role)) forbiddenPage();
  return actor;
}

export async function currentActor(): Promise<Actor | null> {
  return actorFrom(await headers());
}

/** Wraps a route handler: authenticates (session or API token), checks the role and the origin, maps errors to JSON. */
export function withRole<P extends Record<string, string> = Record<string, string>>(role: Role, handler: Handler<P>) {
  return guarded(actorFrom, role, handler);
}

/** Reads a JSON body; a body that is not JSON is a 400 that says so. */
export async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "BAD_REQUEST", "the request body is not valid JSON");
  }
}

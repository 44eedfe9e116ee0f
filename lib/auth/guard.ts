import "server-only";
// The one role guard. Route handlers use withRole(); pages and server actions use requireRole().
// A request acts as the signed-in user (session cookie) or a token's owner (Authorization: Bearer).
import { forbidden as forbiddenPage, redirect } from "next/navigation";
import { headers } from "next/headers";
import { NextResponse } from "next/server";
import { ZodError } from "zod";
import { ApiError, forbidden, registryToApiError, unauthorized, zodToApiError, type ErrorBody } from "@/lib/api/errors";
import { db } from "@/lib/db";
import { userForToken } from "./api-tokens";
import { auth, clientAddress } from "./auth";
import { hasRole, type Role } from "./roles";

export interface Actor {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  via: "session" | "token";
  address: string | null;
}

async function sessionUser() {
  const session = await auth();
  const id = session?.user?.id;
  return id ? db.user.findUnique({ where: { id } }) : null;
}

async function actorFrom(h: Headers): Promise<Actor | null> {
  const bearer = h.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const user = bearer ? await userForToken(bearer) : await sessionUser();
  if (!user) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role, via: bearer ? "token" : "session", address: clientAddress(h) };
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

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

// A browser's mutation must come from our own pages; tokens are not sent by browsers on their own.
function sameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  const site = req.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return false;
  if (!origin) return true;
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function errorResponse(err: unknown): NextResponse<ErrorBody> {
  const e = err instanceof ZodError ? zodToApiError(err) : err instanceof ApiError ? err : registryToApiError(err);
  if (e) {
    return NextResponse.json({ error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } }, { status: e.status, headers: e.headers });
  }
  const requestId = crypto.randomUUID();
  console.error(`[regatta] request ${requestId} failed:`, err instanceof Error ? `${err.name}: ${err.message}` : "unknown error");
  return NextResponse.json({ error: { code: "INTERNAL", message: `something went wrong on the server (request id ${requestId})` } }, { status: 500 });
}

type Params = Record<string, string>;
type Handler<P extends Params> = (ctx: { req: Request; actor: Actor; params: P }) => Promise<Response | unknown>;

/** Wraps a route handler: authenticates, checks the role and the origin, maps errors to JSON. */
export function withRole<P extends Params = Params>(role: Role, handler: Handler<P>) {
  return async (req: Request, ctx: { params: Promise<P> }) => {
    try {
      const actor = await actorFrom(req.headers);
      if (!actor) throw unauthorized();
      if (actor.via === "session" && !SAFE_METHODS.has(req.method) && !sameOrigin(req)) {
        throw forbidden("cross-site requests are not accepted");
      }
      if (!hasRole(actor.role, role)) throw forbidden(`this needs the ${role} role; you are ${actor.role}`);
      const result = await handler({ req, actor, params: await ctx.params });
      if (result instanceof Response) return result;
      return NextResponse.json(result ?? { ok: true });
    } catch (err) {
      return errorResponse(err);
    }
  };
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

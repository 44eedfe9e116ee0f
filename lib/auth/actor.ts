import "server-only";
// Who is asking, and the role check every API handler goes through. Framework-free (no Next, no
// Auth.js): guard.ts adds the session cookie for Next's route handlers; the server of `npm start`
// (scripts/lib/server.ts) serves the API's hottest machine routes with API tokens alone.
import { errorJson } from "@/lib/api/errors";
import { forbidden, unauthorized } from "@/lib/errors";
import { withRegistryLane } from "@/lib/registry/lanes";
import { userForToken } from "./api-tokens";
import { clientAddress, publicHost } from "./client-address";
import { routeAllows } from "./access";
import type { GlobalRole, Role } from "@/lib/schemas/roles";

export interface Actor {
  id: string;
  email: string;
  name: string | null;
  /** the global role; NONE: rights from team grants only (lib/auth/access.ts) */
  role: GlobalRole;
  via: "session" | "token";
  address: string | null;
  /** a token's scope: READ tokens may only read (GET/HEAD) */
  scope?: "READ" | "WRITE";
  /** a token limited to these registries (never more than the owner's rights) */
  tokenRegistryIds?: string[];
}

export { clientAddress };

/** The API token of `Authorization: Bearer …`, if the request sends one. */
export function bearerToken(h: Headers): string | undefined {
  return h.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
}

/** The owner of the request's API token; null without a token or with an unknown, expired or revoked one. */
export async function tokenActor(h: Headers): Promise<Actor | null> {
  const bearer = bearerToken(h);
  const user = bearer ? await userForToken(bearer) : null;
  return user && { id: user.id, email: user.email, name: user.name, role: user.role, via: "token", address: clientAddress(h), scope: user.scope, tokenRegistryIds: user.registryIds };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

// A browser's mutation must come from our own pages; tokens are not sent by browsers on their own.
function sameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  const site = req.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return false;
  if (!origin) return true;
  try {
    return new URL(origin).host === publicHost(req.headers);
  } catch {
    return false;
  }
}

type Params = Record<string, string>;
export type Handler<P extends Params> = (ctx: { req: Request; actor: Actor; params: P }) => Promise<Response | unknown>;

/**
 * A route handler behind the role check: `actorOf` says who is asking (null: nobody signed in);
 * then the origin and the role are checked, and errors become the API's JSON error answers.
 */
export function guarded<P extends Params>(actorOf: (h: Headers) => Promise<Actor | null>, role: Role, handler: Handler<P>) {
  return async (req: Request, ctx: { params: Promise<P> }): Promise<Response> => {
    try {
      const actor = await actorOf(req.headers);
      if (!actor) throw unauthorized();
      if (actor.via === "session" && !SAFE_METHODS.has(req.method) && !sameOrigin(req)) {
        throw forbidden("cross-site requests are not accepted");
      }
      if (actor.via === "token" && actor.scope === "READ" && !SAFE_METHODS.has(req.method)) {
        throw forbidden("this API token is read-only; make a token with the write scope to change things");
      }
      if (!(await routeAllows(actor, role))) throw forbidden(`this needs the ${role} role; you are ${actor.role}`);
      // the registry requests this handler makes queue in the actor's lane (fair between users)
      const params = await ctx.params;
      const result = await withRegistryLane(actor.id, () => handler({ req, actor, params }));
      const res = result instanceof Response ? result : Response.json(result ?? { ok: true });
      // for the server's access line (scripts/lib/server.ts takes the header off); the caller's own id anyway
      try {
        res.headers.set("x-regatta-actor", actor.id);
      } catch {
        // an immutable Response (a proxied one): no actor in the access line
      }
      return res;
    } catch (err) {
      return errorJson(err, req.headers.get("x-request-id"));
    }
  };
}

// Who calls the API in the suites: nobody, a signed-in user of each role (session), an API token of
// each role, a revoked token, and a registry's webhook secret. Sessions come from the Auth.js
// `auth()` the test file mocks to read `session.userId` (see sessionMock below); everything after
// that — the user lookup, the origin check, the role check — is the app's own code.
import { db } from "@/lib/db";
import { hashPassword } from "@/lib/auth/password";
import { hashToken, newToken } from "@/lib/auth/api-tokens";
import type { GlobalRole, Role } from "@/lib/schemas/roles";

/** What the mocked auth() answers: the signed-in user's id, or nobody. */
export const session: { userId: string | null } = { userId: null };

/** For `vi.mock("@/lib/auth/auth", sessionMock)`: the real module with auth() reading `session`. */
export async function sessionMock(importOriginal: () => Promise<Record<string, unknown>>) {
  const real = await importOriginal();
  return { ...real, auth: async () => (session.userId ? { user: { id: session.userId } } : null) };
}

export const PRINCIPALS = [
  "anonymous", "viewer", "operator", "admin", "admin:cross-site", "token:viewer", "token:operator", "token:admin", "token:admin-read", "token:revoked", "webhook-secret",
  // the team dimension: people with no global role (NONE) and one team grant on another registry
  // than the one probed (`teamRegistryId`): a VIEWER grant (session) and an OPERATOR grant (token)
  "team:viewer", "team:op-token",
] as const;
export type Principal = (typeof PRINCIPALS)[number];

export interface Caller {
  /** the session user to sign in as (null: none) */
  sessionUserId: string | null;
  /** the Authorization header to send (undefined: none) */
  authorization?: string;
  /** more request headers (a browser's Origin, …) */
  headers?: Record<string, string>;
}

export async function makeUser(role: GlobalRole, label = role.toLowerCase()) {
  const email = `${label}-${Math.random().toString(36).slice(2)}@example.com`;
  return db.user.create({ data: { email, role, passwordHash: await hashPassword("correct horse battery") } });
}

export async function makeToken(userId: string, name = "suite", scope: "READ" | "WRITE" = "WRITE") {
  const token = newToken();
  const row = await db.apiToken.create({ data: { userId, name, tokenHash: hashToken(token), prefix: token.slice(0, 10), scope } });
  return { id: row.id, token };
}

/**
 * One caller per principal. `revoke` revokes a token the way a user does (the API's own DELETE),
 * so the suite follows whatever revocation becomes; `webhookSecret` is a registry's secret.
 */
/** A team with one grant and one member: a NONE user whose only right is that grant. */
export async function makeTeamMember(registryId: string, role: Role, repositoryGlob = "*", label = `team-${role.toLowerCase()}`) {
  const user = await makeUser("NONE", label);
  const team = await db.team.create({ data: { name: `${label}-${Math.random().toString(36).slice(2, 8)}` } });
  await db.teamMember.create({ data: { teamId: team.id, userId: user.id } });
  const grant = await db.grant.create({ data: { teamId: team.id, registryId, repositoryGlob, role } });
  return { user, team, grant };
}

export async function makeCallers(opts: { revoke: (owner: Caller, tokenId: string) => Promise<void>; webhookSecret: string; teamRegistryId: string }): Promise<Record<Principal, Caller>> {
  const users = { VIEWER: await makeUser("VIEWER"), OPERATOR: await makeUser("OPERATOR"), ADMIN: await makeUser("ADMIN") };
  const tok = {
    VIEWER: await makeToken(users.VIEWER.id),
    OPERATOR: await makeToken(users.OPERATOR.id),
    ADMIN: await makeToken(users.ADMIN.id),
    ADMIN_READ: await makeToken(users.ADMIN.id, "read-only", "READ"),
  };
  // an admin's token, revoked by its owner: it must be worth nothing afterwards
  const revokedOwner = await makeUser("ADMIN", "revoked-owner");
  const revoked = await makeToken(revokedOwner.id, "to be revoked");
  await opts.revoke({ sessionUserId: revokedOwner.id }, revoked.id);
  const teamViewer = await makeTeamMember(opts.teamRegistryId, "VIEWER");
  const teamOperator = await makeTeamMember(opts.teamRegistryId, "OPERATOR");
  const teamOperatorToken = await makeToken(teamOperator.user.id, "team operator's");
  return {
    anonymous: { sessionUserId: null },
    viewer: { sessionUserId: users.VIEWER.id },
    operator: { sessionUserId: users.OPERATOR.id },
    admin: { sessionUserId: users.ADMIN.id },
    // the admin's browser, lured to another site that posts to Regatta
    "admin:cross-site": { sessionUserId: users.ADMIN.id, headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" } },
    "token:viewer": { sessionUserId: null, authorization: `Bearer ${tok.VIEWER.token}` },
    "token:operator": { sessionUserId: null, authorization: `Bearer ${tok.OPERATOR.token}` },
    "token:admin": { sessionUserId: null, authorization: `Bearer ${tok.ADMIN.token}` },
    // a read-only token of an admin: reads as the admin, writes nothing
    "token:admin-read": { sessionUserId: null, authorization: `Bearer ${tok.ADMIN_READ.token}` },
    "token:revoked": { sessionUserId: null, authorization: `Bearer ${revoked.token}` },
    "webhook-secret": { sessionUserId: null, authorization: `Bearer ${opts.webhookSecret}` },
    "team:viewer": { sessionUserId: teamViewer.user.id },
    "team:op-token": { sessionUserId: null, authorization: `Bearer ${teamOperatorToken.token}` },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RouteHandler = (req: Request, ctx: { params: Promise<any> }) => Promise<Response>;

export interface RouteCall {
  method: string;
  /** the concrete path, e.g. /api/v1/registries/<uuid>/tags */
  path: string;
  query?: Record<string, string>;
  params?: Record<string, unknown>;
  body?: unknown;
  rawBody?: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
}

export function buildRequest(c: RouteCall, caller: Caller): Request {
  const headers: Record<string, string> = { ...(c.headers ?? {}), ...(caller.headers ?? {}) };
  if (caller.authorization) headers.authorization = caller.authorization;
  const body = c.rawBody ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
  if (body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
  const qs = c.query ? `?${new URLSearchParams(c.query)}` : "";
  return new Request(`http://127.0.0.1:3000${c.path}${qs}`, { method: c.method, headers, body: c.method === "GET" || c.method === "HEAD" ? undefined : body });
}

/** Calls a route handler as Next would, as `caller`; the answer's status and text. */
export async function callAs(handler: RouteHandler, c: RouteCall, caller: Caller): Promise<{ status: number; text: string }> {
  session.userId = caller.sessionUserId;
  try {
    const res = await handler(buildRequest(c, caller), { params: Promise.resolve(c.params ?? {}) });
    return { status: res.status, text: await res.text() };
  } finally {
    session.userId = null;
  }
}

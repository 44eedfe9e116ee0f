// The authorization matrix: every route handler under app/api (found on the filesystem, so a new
// route.ts is noticed) and the machine routes npm start's server answers itself (app/api/v1/machine-routes.ts) × every kind of caller, with the
// outcome each must get. Only the authorization outcome is asserted: refused (401/403/404) or not
// refused ("ok": anything else below 500). Bodies are minimal or just valid enough.
//
// MATRIX is the one table. A new dimension (token scopes, team grants) is a new principal in
// test/support/principals.ts and one more column in every row.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { machineRoute } from "@/app/api/v1/machine-routes";
import { startRegistry, type RunningRegistry } from "../harness";
import { concretePath as fill, routeTable } from "../support/routes";
import {
  PRINCIPALS, buildRequest, callAs, makeCallers, makeToken, makeUser, session, type Caller, type Principal, type RouteCall,
} from "../support/principals";

// Auth.js reads its secret when the module loads
vi.hoisted(() => {
  process.env.AUTH_SECRET ||= "authz-matrix-test-secret-0123456789abcdef";
});
vi.mock("@/lib/auth/auth", async (importOriginal) => (await import("../support/principals")).sessionMock(importOriginal));

type Outcome = "ok" | "up" | "401" | "403" | "404" | "next";

// Columns, in the order of PRINCIPALS:
//   anon  = nobody                              viewer/oper/admin = signed-in user (session cookie)
//   xsite = the admin's session, sent from another site (Origin: https://evil.example)
//   t:*   = an API token of that role (write scope)  t:rd = an admin's read-only token
//   revkd = a revoked (admin's) token
//   hook  = a registry's webhook secret as Bearer
//   tm:vw = a person with no global role (NONE) whose team has a VIEWER grant on another registry (session)
//   tk:op = the API token of a NONE person whose team has an OPERATOR grant on another registry
//           (both probe the matrix's registry, which they may not see: 404, as if it did not exist)
// "ok" = not refused; "up" = a readiness answer to anyone (200, or 503 naming what is not ready); "next" (FRONT table only) = the server hands the request to Next, which
// answers as the Next table says.
// prettier-ignore
const MATRIX: Record<string, string> = {
  //                                                  anon viewer oper admin xsite | t:vw t:op t:ad t:rd revkd | hook | tm:vw tk:op
  "GET /api/auth/[...nextauth]":                     "ok   ok     ok   ok    ok    | ok   ok   ok   ok   ok   | ok   | ok   ok",
  "POST /api/auth/[...nextauth]":                    "ok   ok     ok   ok    ok    | ok   ok   ok   ok   ok   | ok   | ok   ok",
  "GET /api/health":                                 "ok   ok     ok   ok    ok    | ok   ok   ok   ok   ok    | ok   | ok   ok",
  "GET /api/ready":                                  "up   up     up   up    up    | up   up   up   up   up    | up   | up   up",
  "GET /api/v1/audit":                               "401  403    403  ok    ok    | 403  403  ok   ok   401   | 401  | 403  403",
  "GET /api/v1/audit/activity":                      "401  403    403  ok    ok    | 403  403  ok   ok   401   | 401  | 403  403",
  "GET /api/v1/audit/last-push":                     "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | 404  404",
  "GET /api/v1/audit/verify":                        "401  403    403  ok    ok    | 403  403  ok   ok   401   | 401  | 403  403",
  // deprecated alias of /stages
  "GET /api/v1/environments":                        "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | ok   ok",
  "POST /api/v1/environments":                       "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "DELETE /api/v1/environments/[id]":                "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "GET /api/v1/me":                                  "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | ok   ok",
  "GET /api/v1/notification-deliveries":             "401  403    403  ok    ok    | 403  403  ok   ok   401   | 401  | 403  403",
  "GET /api/v1/notification-rules":                  "401  403    403  ok    ok    | 403  403  ok   ok   401   | 401  | 403  403",
  "POST /api/v1/notification-rules":                 "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "PATCH /api/v1/notification-rules/[id]":           "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "DELETE /api/v1/notification-rules/[id]":          "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "POST /api/v1/notification-rules/[id]/test":       "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "GET /api/v1/promotions":                          "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | ok   ok",
  "POST /api/v1/promotions":                         "401  403    ok   ok    403   | 403  ok   ok   403  401   | 401  | 403  ok",
  "GET /api/v1/promotions/[id]":                     "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | 404  404",
  "POST /api/v1/promotions/[id]/retry":              "401  403    ok   ok    403   | 403  ok   ok   403  401   | 401  | 403  404",
  "GET /api/v1/protection":                          "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | 404  404",
  "GET /api/v1/protection-rules":                    "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | ok   ok",
  "POST /api/v1/protection-rules":                   "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "DELETE /api/v1/protection-rules/[id]":            "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "GET /api/v1/registries":                          "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | ok   ok",
  "POST /api/v1/registries":                         "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "GET /api/v1/registries/[id]":                     "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | 404  404",
  "PATCH /api/v1/registries/[id]":                   "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "DELETE /api/v1/registries/[id]":                  "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "GET /api/v1/registries/[id]/health":              "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | 404  404",
  "GET /api/v1/registries/[id]/manifests":           "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | 404  404",
  "GET /api/v1/registries/[id]/repositories":        "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | 404  404",
  "GET /api/v1/registries/[id]/sync":                "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | 404  404",
  "POST /api/v1/registries/[id]/sync":               "401  403    ok   ok    403   | 403  ok   ok   403  401   | 401  | 403  404",
  "GET /api/v1/registries/[id]/tag-history":         "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | 404  404",
  "GET /api/v1/registries/[id]/tags":                "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | 404  404",
  "DELETE /api/v1/registries/[id]/tags":             "401  403    ok   ok    403   | 403  ok   ok   403  401   | 401  | 403  404",
  // reads in a POST (a batch of tag names): viewers may, but not from another site
  "POST /api/v1/registries/[id]/tags/details":       "401  ok     ok   ok    403   | ok   ok   ok   403  401   | 401  | 404  404",
  "POST /api/v1/registries/[id]/test":               "401  ok     ok   ok    403   | ok   ok   ok   403  401   | 401  | 404  404",
  "POST /api/v1/registries/[id]/webhook":            "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "GET /api/v1/diff":                                "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | 404  404",
  "GET /api/v1/registries/[id]/signatures":          "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | 404  404",
  "GET /api/v1/retention-policies":                  "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | ok   ok",
  "POST /api/v1/retention-policies":                 "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "GET /api/v1/retention-policies/[id]":             "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | 404  404",
  "PATCH /api/v1/retention-policies/[id]":           "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "DELETE /api/v1/retention-policies/[id]":          "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "POST /api/v1/retention-policies/[id]/preview":    "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "GET /api/v1/retention-policies/[id]/runs":        "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | 404  404",
  "POST /api/v1/retention-policies/[id]/runs":       "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "POST /api/v1/retention-policies/[id]/runs/[runId]/stop":"401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "GET /api/v1/search":                              "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | ok   ok",
  "GET /api/v1/signing-keys":                        "401  403    403  ok    ok    | 403  403  ok   ok   401   | 401  | 403  403",
  "POST /api/v1/signing-keys":                       "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "DELETE /api/v1/signing-keys/[id]":                "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "GET /api/v1/stages":                              "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | ok   ok",
  "POST /api/v1/stages":                             "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "DELETE /api/v1/stages/[id]":                      "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  // teams: global admins only (a team grant never reaches these)
  "GET /api/v1/teams":                               "401  403    403  ok    ok    | 403  403  ok   ok   401   | 401  | 403  403",
  "POST /api/v1/teams":                              "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "PATCH /api/v1/teams/[id]":                        "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "DELETE /api/v1/teams/[id]":                       "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "POST /api/v1/teams/[id]/members":                 "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "DELETE /api/v1/teams/[id]/members/[userId]":      "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "POST /api/v1/teams/[id]/grants":                  "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "DELETE /api/v1/teams/[id]/grants/[grantId]":      "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "GET /api/v1/tokens":                              "401  ok     ok   ok    ok    | ok   ok   ok   ok   401   | 401  | ok   ok",
  "POST /api/v1/tokens":                             "401  ok     ok   ok    403   | ok   ok   ok   403  401   | 401  | ok   ok",
  // someone else's token: only its owner or an admin may revoke it, and others learn nothing (404)
  "DELETE /api/v1/tokens/[id]":                      "401  404    404  ok    403   | 404  404  ok   403  401   | 401  | 404  404",
  "GET /api/v1/users":                               "401  403    403  ok    ok    | 403  403  ok   ok   401   | 401  | 403  403",
  "POST /api/v1/users":                              "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "PATCH /api/v1/users/[id]":                        "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  "DELETE /api/v1/users/[id]":                       "401  403    403  ok    403   | 403  403  ok   403  401   | 401  | 403  403",
  // the registry's secret is the only credential a webhook accepts
  "POST /api/v1/webhooks/registry/[registryId]":     "401  401    401  401   401   | 401  401  401  401  401   | ok   | 401  401",
};

// The server of `npm start` (scripts/lib/server.ts) answers these itself, before Next (app/api/v1/machine-routes.ts).
// prettier-ignore
const FRONT: Record<string, string> = {
  //                                                  anon viewer oper admin xsite | t:vw t:op t:ad t:rd revkd | hook | tm:vw tk:op
  "POST /api/v1/promotions":                         "next next   next next  next  | 403  ok   ok   403  401   | 401  | next ok",
  "GET /api/v1/promotions/[id]":                     "next next   next next  next  | ok   ok   ok   ok   401   | 401  | next 404",
  "GET /api/v1/registries/[id]/tags":                "next next   next next  next  | ok   ok   ok   ok   401   | 401  | next 404",
  "POST /api/v1/webhooks/registry/[registryId]":     "401  401    401  401   401   | 401  401  401  401  401   | ok   | 401  401",
};

function outcomes(row: string): Outcome[] {
  const cells = row.split(/\s+/).filter((c) => c && c !== "|") as Outcome[];
  expect(cells, `a row needs one outcome per principal (${PRINCIPALS.join(", ")})`).toHaveLength(PRINCIPALS.length);
  return cells;
}

// ---- fixtures and the request each route gets -------------------------------------------------

let reg: RunningRegistry;
let registryId: string;
let callers: Record<Principal, Caller>;
let victim: string;
const handlers = routeTable();

async function asAdmin(key: string, c: Omit<RouteCall, "method" | "path"> & { path: string }) {
  const admin = await makeUser("ADMIN", "fixture");
  const [method] = key.split(" ");
  const res = await callAs(handlers.get(key)!, { method: method!, ...c }, { sessionUserId: admin.id });
  expect(res.status, res.text).toBeLessThan(300);
  return JSON.parse(res.text);
}

const freshRegistry = async () => asAdmin("POST /api/v1/registries", { path: "/api/v1/registries", body: { name: `m-${randomUUID().slice(0, 8)}`, kind: "GENERIC", endpoint: reg.url } });

const freshStage = () => db.stage.create({ data: { name: `e-${randomUUID().slice(0, 8)}`, position: 1, registryId, repository: "demo/app" } });

const freshTeam = () => db.team.create({ data: { name: `t-${randomUUID().slice(0, 8)}` } });

type Req = Partial<RouteCall> & { params?: Record<string, unknown> };
/** The request a route gets; fresh rows for the ones an allowed caller deletes. */
const REQUESTS: Record<string, () => Promise<Req>> = {
  "GET /api/auth/[...nextauth]": async () => ({ params: { nextauth: ["session"] } }),
  "POST /api/auth/[...nextauth]": async () => ({ params: { nextauth: ["signout"] }, rawBody: "", headers: { "content-type": "application/x-www-form-urlencoded" } }),
  "GET /api/v1/audit/last-push": async () => ({ query: { registryId, repository: "demo/app", tag: "v1" } }),
  "POST /api/v1/environments": async () => ({ body: {} }),
  "DELETE /api/v1/environments/[id]": async () => ({ params: { id: (await freshStage()).id } }),
  "POST /api/v1/promotions": async () => ({ body: {} }),
  "GET /api/v1/promotions/[id]": async () => ({ params: { id: randomUUID() } }),
  "POST /api/v1/promotions/[id]/retry": async () => ({ params: { id: randomUUID() } }),
  "GET /api/v1/protection": async () => ({ query: { registryId, repository: "demo/app", tag: "v1" } }),
  "POST /api/v1/protection-rules": async () => ({ body: {} }),
  "DELETE /api/v1/protection-rules/[id]": async () => ({ params: { id: (await db.protectionRule.create({ data: { registryId, repositoryGlob: "x/*", tagGlob: "*" } })).id } }),
  "POST /api/v1/registries": async () => ({ body: {} }),
  "PATCH /api/v1/registries/[id]": async () => ({ params: { id: registryId }, body: {} }),
  "DELETE /api/v1/registries/[id]": async () => ({ params: { id: (await freshRegistry()).id } }),
  "GET /api/v1/registries/[id]/manifests": async () => ({ params: { id: registryId }, query: { repository: "demo/app", reference: "v1" } }),
  "GET /api/v1/registries/[id]/signatures": async () => ({ params: { id: registryId }, query: { repository: "demo/app", reference: "v1" } }),
  "POST /api/v1/signing-keys": async () => ({ body: {} }),
  "DELETE /api/v1/signing-keys/[id]": async () => ({ params: { id: (await db.signingKey.create({ data: { name: `k-${randomUUID().slice(0, 8)}`, publicKeyPem: "x", algorithm: "ed25519", createdBy: "matrix" } })).id } }),
  "POST /api/v1/stages": async () => ({ body: {} }),
  "DELETE /api/v1/stages/[id]": async () => ({ params: { id: (await freshStage()).id } }),
  "GET /api/v1/registries/[id]/tag-history": async () => ({ params: { id: registryId }, query: { repository: "demo/app", tag: "v1" } }),
  "GET /api/v1/registries/[id]/tags": async () => ({ params: { id: registryId }, query: { repository: "demo/app" } }),
  "DELETE /api/v1/registries/[id]/tags": async () => ({ params: { id: registryId }, query: { repository: "demo/app", tag: "absent" } }),
  "POST /api/v1/registries/[id]/tags/details": async () => ({ params: { id: registryId }, body: { repository: "demo/app", tags: ["v1"] } }),
  "POST /api/v1/registries/[id]/webhook": async () => ({ params: { id: (await freshRegistry()).id } }),
  "GET /api/v1/diff": async () => ({ query: { from: `${registryId}:demo/app:v1`, to: `${registryId}:demo/app:v1` } }),
  "POST /api/v1/retention-policies/[id]/runs/[runId]/stop": async () => ({ params: { id: randomUUID(), runId: randomUUID() } }),
  "GET /api/v1/search": async () => ({ query: { q: "demo" } }),
  "POST /api/v1/tokens": async () => ({ body: { name: "matrix" } }),
  "DELETE /api/v1/tokens/[id]": async () => ({ params: { id: (await makeToken(victim, "victim's")).id } }),
  "POST /api/v1/users": async () => ({ body: {} }),
  "PATCH /api/v1/users/[id]": async () => ({ params: { id: (await makeUser("VIEWER", "patched")).id }, body: { name: "Renamed" } }),
  "DELETE /api/v1/users/[id]": async () => ({ params: { id: (await makeUser("VIEWER", "deleted")).id } }),
  "POST /api/v1/teams": async () => ({ body: { name: `t-${randomUUID().slice(0, 8)}` } }),
  "PATCH /api/v1/teams/[id]": async () => ({ params: { id: (await freshTeam()).id }, body: { name: `t-${randomUUID().slice(0, 8)}` } }),
  "DELETE /api/v1/teams/[id]": async () => ({ params: { id: (await freshTeam()).id } }),
  "POST /api/v1/teams/[id]/members": async () => ({ params: { id: (await freshTeam()).id }, body: { userId: victim } }),
  "DELETE /api/v1/teams/[id]/members/[userId]": async () => {
    const t = await freshTeam();
    await db.teamMember.create({ data: { teamId: t.id, userId: victim } });
    return { params: { id: t.id, userId: victim } };
  },
  "POST /api/v1/teams/[id]/grants": async () => ({ params: { id: (await freshTeam()).id }, body: { registryId, role: "VIEWER" } }),
  "DELETE /api/v1/teams/[id]/grants/[grantId]": async () => {
    const t = await freshTeam();
    const g = await db.grant.create({ data: { teamId: t.id, registryId, role: "VIEWER" } });
    return { params: { id: t.id, grantId: g.id } };
  },
  "POST /api/v1/webhooks/registry/[registryId]": async () => ({ params: { registryId }, body: { events: [] }, headers: { "content-type": "application/vnd.docker.distribution.events.v1+json" } }),
};

const concretePath = (route: string, params: Record<string, unknown> = {}) =>
  fill(route, params, (name) => (name === "nextauth" ? "session" : registryId));

async function request(key: string): Promise<RouteCall> {
  const [method, route] = key.split(" ") as [string, string];
  const base = (await (REQUESTS[key] ?? (async () => ({})))()) as Req;
  const params = base.params ?? (route.includes("[id]") ? { id: registryId } : {});
  return { ...base, method, params, path: concretePath(route, params) };
}

function check(status: number, want: Outcome, text: string, what: string) {
  // readiness answers anyone, 200 or 503 naming the failing part (this test starts no job workers)
  if (want === "up") return expect([200, 503], `${what}: ${text.slice(0, 200)}`).toContain(status);
  expect(status, `${what}: 5xx is never an authorization answer (${text.slice(0, 200)})`).toBeLessThan(500);
  if (want === "ok") expect([401, 403], `${what} was refused (${status}): ${text.slice(0, 200)}`).not.toContain(status);
  else expect(status, `${what}: ${text.slice(0, 200)}`).toBe(Number(want));
}

beforeAll(async () => {
  reg = await startRegistry({ mode: "open", name: "authz-matrix" });
  registryId = (await freshRegistry()).id;
  const hook = await asAdmin("POST /api/v1/registries/[id]/webhook", { path: `/api/v1/registries/${registryId}/webhook`, params: { id: registryId } });
  victim = (await makeUser("VIEWER", "victim")).id;
  const teamRegistry = await freshRegistry();
  callers = await makeCallers({
    webhookSecret: hook.secret,
    teamRegistryId: teamRegistry.id,
    revoke: async (owner, id) => {
      const res = await callAs(handlers.get("DELETE /api/v1/tokens/[id]")!, { method: "DELETE", path: `/api/v1/tokens/${id}`, params: { id } }, owner);
      expect(res.status, res.text).toBeLessThan(300);
    },
  });
});

afterAll(async () => {
  session.userId = null;
  await reg?.stop();
});

describe("authorization matrix", () => {
  it("has exactly one row per route handler and method under app/api", () => {
    const routes = [...handlers.keys()].sort();
    expect(routes.length).toBeGreaterThan(30);
    const missing = routes.filter((r) => !(r in MATRIX));
    const stale = Object.keys(MATRIX).filter((r) => !handlers.has(r));
    expect(missing, "routes without a row in MATRIX: add one (who may call it?)").toEqual([]);
    expect(stale, "rows in MATRIX without a route").toEqual([]);
  });

  it("npm start's server answers exactly the routes of its table; Next answers the rest", () => {
    for (const key of handlers.keys()) {
      const [method, route] = key.split(" ") as [string, string];
      const path = concretePath(route);
      const taken = machineRoute(method, path, "Bearer rgt_x") !== undefined || machineRoute(method, path, undefined) !== undefined;
      expect(taken, `${key}: answered by the server itself ${taken ? "without" : "but"} a row in FRONT`).toBe(key in FRONT);
    }
  });

  const cells = Object.keys(MATRIX).flatMap((key) => PRINCIPALS.map((p, i) => [key, p, i] as const));
  it.each(cells)("%s as %s", async (key, principal, i) => {
    const want = outcomes(MATRIX[key]!)[i]!;
    const handler = handlers.get(key);
    if (!handler) return; // reported by the first test
    const c = await request(key);
    const res = await callAs(handler, c, callers[principal]);
    check(res.status, want, res.text, `${key} as ${principal}`);
  });

  const frontCells = Object.keys(FRONT).flatMap((key) => PRINCIPALS.map((p, i) => [key, p, i] as const));
  it.each(frontCells)("npm start's server: %s as %s", async (key, principal, i) => {
    const want = outcomes(FRONT[key]!)[i]!;
    const c = await request(key);
    const caller = callers[principal];
    const route = machineRoute(c.method, c.path, caller.authorization);
    if (want === "next") {
      expect(route, `${key} as ${principal} must go to Next`).toBeUndefined();
      return;
    }
    expect(route, `${key} as ${principal} is answered by the server itself`).toBeDefined();
    // the server reads the body itself and hands it beside a bodiless Request
    const body = c.body === undefined ? undefined : Buffer.from(JSON.stringify(c.body));
    session.userId = caller.sessionUserId; // the server's machine routes never read sessions; prove it by offering one
    try {
      const res = await route!(buildRequest({ ...c, body: undefined }, caller), body);
      check(res.status, want, await res.text(), `front ${key} as ${principal}`);
    } finally {
      session.userId = null;
    }
  });
});

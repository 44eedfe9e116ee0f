// Calls route handlers the way Next does, as a CI system would: with a bearer token.
import pg from "pg";
import { expect } from "vitest";
import { db } from "@/lib/db";
import { hashToken, newToken } from "@/lib/auth/api-tokens";
import { hashPassword } from "@/lib/auth/password";
import type { Role } from "@/lib/schemas/roles";
import type { TagDetailsAnswer } from "@/lib/schemas/browse";
import { testDatabaseUrl } from "./workers";

export async function userWithToken(role: Role, email = `${role.toLowerCase()}-${Math.random().toString(36).slice(2)}@example.com`) {
  const user = await db.user.create({ data: { email, role, passwordHash: await hashPassword("correct horse battery") } });
  const token = newToken();
  await db.apiToken.create({ data: { userId: user.id, name: "test", tokenHash: hashToken(token), prefix: token.slice(0, 10) } });
  return { user, token };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RouteHandler = (req: Request, ctx: { params: Promise<any> }) => Promise<Response>;

export async function call(handler: RouteHandler, opts: { token?: string; method?: string; body?: unknown; rawBody?: string; params?: Record<string, string>; headers?: Record<string, string>; query?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (body !== undefined) headers["content-type"] = "application/json";
  const search = opts.query ? `?${new URLSearchParams(opts.query)}` : "";
  const req = new Request(`http://127.0.0.1:3000/api/v1/x${search}`, { method: opts.method ?? "GET", headers, body });
  const res = await handler(req, { params: Promise.resolve(opts.params ?? {}) });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

/** Adds a registry through POST /api/v1/registries (201 expected); its id. */
export async function addRegistry(token: string, body: Record<string, unknown>): Promise<string> {
  const { POST } = await import("@/app/api/v1/registries/route");
  const r = await call(POST, { token, method: "POST", body });
  expect(r.status, r.text).toBe(201);
  return r.json.id as string;
}

/** POST /registries/{id}/tags/details (200 expected): the filled tag rows. */
export async function tagDetails(token: string, id: string, repository: string, tags: string[]): Promise<TagDetailsAnswer["tags"]> {
  const { POST } = await import("@/app/api/v1/registries/[id]/tags/details/route");
  const r = await call(POST, { token, method: "POST", params: { id }, body: { repository, tags } });
  expect(r.status, r.text).toBe(200);
  return (r.json as TagDetailsAnswer).tags;
}

/** Runs one statement on the test server's `postgres` database (CREATE/DROP DATABASE and the like). */
export async function adminSql(sql: string): Promise<void> {
  const u = new URL(testDatabaseUrl());
  u.pathname = "/postgres";
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Empties the audit log as its owner (the append-only trigger off for the moment): other files write rows without a real chain. */
export async function clearAuditLog(): Promise<void> {
  const c = new pg.Client({ connectionString: testDatabaseUrl() });
  await c.connect();
  try {
    await c.query(`ALTER TABLE "AuditEvent" DISABLE TRIGGER USER`);
    await c.query(`DELETE FROM "AuditEvent"`);
    await c.query(`ALTER TABLE "AuditEvent" ENABLE TRIGGER USER`);
  } finally {
    await c.end();
  }
}

/** Polls GET /promotions/{id} until it has succeeded or failed (60 s at most); its last answer. */
export async function waitForPromotion(token: string, id: string) {
  const { GET } = await import("@/app/api/v1/promotions/[id]/route");
  for (let i = 0; i < 600; i++) {
    const r = await call(GET, { token, params: { id } });
    if (r.json.state === "succeeded" || r.json.state === "failed") return r.json;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`promotion ${id} did not finish`);
}

// Calls route handlers the way Next does, as a CI system would: with a bearer token.
import pg from "pg";
import { inject } from "vitest";
import { db } from "@/lib/db";
import { hashToken, newToken } from "@/lib/auth/api-tokens";
import { hashPassword } from "@/lib/auth/password";
import type { Role } from "@/lib/auth/roles";

export async function userWithToken(role: Role, email = `${role.toLowerCase()}-${Math.random().toString(36).slice(2)}@example.com`) {
  const user = await db.user.create({ data: { email, role, passwordHash: await hashPassword("correct horse battery") } });
  const token = newToken();
  await db.apiToken.create({ data: { userId: user.id, name: "test", tokenHash: hashToken(token), prefix: token.slice(0, 10) } });
  return { user, token };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RouteHandler = (req: Request, ctx: { params: Promise<any> }) => Promise<Response>;

export async function call(handler: RouteHandler, opts: { token?: string; method?: string; body?: unknown; rawBody?: string; params?: Record<string, string>; headers?: Record<string, string>; query?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (body !== undefined) headers["content-type"] = "application/json";
  const req = new Request(`http://127.0.0.1:3000/api/v1/x${opts.query ? `?${new URLSearchParams(opts.query)}` : ""}`, { method: opts.method ?? "GET", headers, body });
  const res = await handler(req, { params: Promise.resolve(opts.params ?? {}) });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

/** Runs one statement on the test server's `postgres` database (CREATE/DROP DATABASE and the like). */
export async function adminSql(sql: string): Promise<void> {
  const u = new URL(inject("databaseUrl"));
  u.pathname = "/postgres";
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

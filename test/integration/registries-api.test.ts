import { randomBytes } from "node:crypto";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import * as item from "@/app/api/v1/registries/[id]/route";
import { db } from "@/lib/db";
import { registryConnection } from "@/lib/services/registries";
import { registryClient } from "@/lib/services/clients";
import { startInFlightCounter } from "@/lib/registry/testing/loopback";
import { call, userWithToken } from "../support/api";
import { testDatabaseUrl } from "../support/workers";

let admin: string;
let viewer: string;

beforeAll(async () => {
  admin = (await userWithToken("ADMIN")).token;
  viewer = (await userWithToken("VIEWER")).token;
});

// Every row of every table as text: what a pg_dump would carry (bytea as hex and as raw bytes).
async function dumpDatabase(): Promise<string> {
  const c = new pg.Client({ connectionString: testDatabaseUrl() });
  await c.connect();
  const { rows: tables } = await c.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
  let out = "";
  for (const { tablename } of tables) {
    const { rows } = await c.query(`SELECT * FROM "${tablename}"`);
    for (const r of rows) {
      for (const v of Object.values(r)) out += (Buffer.isBuffer(v) ? v.toString("hex") + v.toString("latin1") : JSON.stringify(v)) + "\n";
    }
  }
  await c.end();
  return out;
}

describe("registries API", () => {
  it("stores a password encrypted: not in the database, not in any answer", async () => {
    const password = "pw-" + randomBytes(18).toString("base64url");
    const created = await call(collection.POST, {
      token: admin, method: "POST",
      body: { name: "secret-test", kind: "GENERIC", endpoint: "http://127.0.0.1:5999/", credentials: { username: "alice", password } },
    });
    expect(created.status).toBe(201);
    expect(created.json.endpoint).toBe("http://127.0.0.1:5999");
    expect(created.json.credentialPreview).toContain("alice");
    const listed = await call(collection.GET, { token: viewer });
    const one = await call(item.GET, { token: viewer, params: { id: created.json.id } });
    for (const answer of [created.text, listed.text, one.text]) expect(answer).not.toContain(password);
    const dump = await dumpDatabase();
    expect(dump).toContain("secret-test");
    expect(dump).not.toContain(password);
    // and the server itself can still read it back for a registry call
    expect((await registryConnection(created.json.id)).credentials).toEqual({ username: "alice", password });
  });

  it.each([
    [{ kind: "GENERIC", endpoint: "http://127.0.0.1:5000" }, 422, "name"],
    [{ name: "x", kind: "GENERIC", endpoint: "" }, 422, "endpoint"],
    [{ name: "x", kind: "GENERIC", endpoint: "not a url" }, 422, "endpoint"],
    [{ name: "x", kind: "GENERIC", endpoint: "ftp://example.com" }, 422, "endpoint"],
    [{ name: "x", kind: "GENERIC", endpoint: "https://user:pw@example.com" }, 422, "endpoint"],
    [{ name: "x", kind: "NOPE", endpoint: "https://example.com" }, 422, "kind"],
    [{ name: "x", kind: "DOCKERHUB", credentials: { username: "u" } }, 422, "credentials.password"],
    [{ name: "x", kind: "HARBOR", credentials: { username: "robot$p+ci", password: "b" } }, 422, "endpoint"],
    [{ name: "x", kind: "GENERIC", endpoint: "https://e.com", credentials: { token: "t" } }, 422, "credentials.token"],
    [{ name: "x", kind: "GENERIC", endpoint: "https://e.com", extra: 1 }, 422, ""],
    [{ name: "x", kind: "GENERIC", endpoint: "https://e.com", concurrency: 0 }, 422, "concurrency"],
    [{ name: "x", kind: "GENERIC", endpoint: "https://e.com", concurrency: 65 }, 422, "concurrency"],
    [{ name: "x", kind: "GENERIC", endpoint: "https://e.com", concurrency: 2.5 }, 422, "concurrency"],
    [{ name: "x", kind: "GENERIC", endpoint: "https://e.com", concurrency: "8" }, 422, "concurrency"],
  ])("rejects %j with %i naming the field", async (body, status, field) => {
    const before = await db.registry.count();
    const res = await call(collection.POST, { token: admin, method: "POST", body });
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe("INVALID_INPUT");
    if (field) expect(res.json.error.message).toContain(field);
    expect(await db.registry.count()).toBe(before);
  });

  it("rejects a body that is not JSON, and a duplicate name with 409", async () => {
    expect((await call(collection.POST, { token: admin, method: "POST", rawBody: "{nope" })).status).toBe(400);
    const body = { name: "dup", kind: "GENERIC", endpoint: "https://r.example.com" };
    expect((await call(collection.POST, { token: admin, method: "POST", body })).status).toBe(201);
    const before = await db.registry.count();
    const again = await call(collection.POST, { token: admin, method: "POST", body });
    expect(again.status).toBe(409);
    expect(again.json.error.message).toContain('"dup"');
    expect(await db.registry.count()).toBe(before);
  });

  it("edits, replaces credentials, and deletes", async () => {
    const c = await call(collection.POST, { token: admin, method: "POST", body: { name: "edit-me", kind: "GHCR", credentials: { username: "bob", password: "ghp_" + "a".repeat(36) } } });
    expect(c.json.endpoint).toBe("https://ghcr.io");
    const p = await call(item.PATCH, { token: admin, method: "PATCH", params: { id: c.json.id }, body: { name: "edited", credentials: { username: "carol", password: "ghp_" + "b".repeat(36) } } });
    expect(p.status).toBe(200);
    expect(p.json.name).toBe("edited");
    expect(p.json.credentialPreview).toContain("carol");
    expect((await registryConnection(c.json.id)).credentials?.username).toBe("carol");
    const bad = await call(item.PATCH, { token: admin, method: "PATCH", params: { id: c.json.id }, body: { endpoint: "nope" } });
    expect(bad.status).toBe(422);
    expect((await call(item.DELETE, { token: admin, method: "DELETE", params: { id: c.json.id } })).status).toBe(204);
    expect((await call(item.GET, { token: admin, params: { id: c.json.id } })).status).toBe(404);
    expect((await call(item.GET, { token: admin, params: { id: "not-a-uuid" } })).status).toBe(404);
  });

  it("keeps a registry's own bound on requests in flight: its client sends no more at once; cleared, the server's", async () => {
    const server = await startInFlightCounter();
    try {
      const peakOf = async (id: string) => {
        server.reset();
        const client = await registryClient(id);
        await Promise.all(Array.from({ length: 30 }, () => client.listTags("a")));
        return server.peak();
      };
      const c = await call(collection.POST, { token: admin, method: "POST", body: { name: "gentle", kind: "GENERIC", endpoint: server.url, concurrency: 3 } });
      expect(c.status).toBe(201);
      expect(c.json.concurrency).toBe(3);
      expect(await peakOf(c.json.id)).toBe(3);
      const p = await call(item.PATCH, { token: admin, method: "PATCH", params: { id: c.json.id }, body: { concurrency: null } });
      expect(p.json.concurrency).toBeNull();
      expect(await peakOf(c.json.id)).toBe(8);
      expect((await call(item.PATCH, { token: admin, method: "PATCH", params: { id: c.json.id }, body: { concurrency: 100 } })).status).toBe(422);
      expect((await call(item.GET, { token: viewer, params: { id: c.json.id } })).json.concurrency).toBeNull();
    } finally {
      await server.close();
    }
  });

  it("lets a viewer read but not change, and refuses unknown tokens", async () => {
    const res = await call(collection.POST, { token: viewer, method: "POST", body: { name: "v", kind: "GENERIC", endpoint: "https://e.com" } });
    expect(res.status).toBe(403);
    expect(res.json.error.message).toContain("ADMIN");
    expect((await call(collection.GET, { token: viewer })).status).toBe(200);
    expect((await call(collection.GET, { token: "rgt_nope" })).status).toBe(401);
    // no credentials at all (the session path) is checked in e2e, inside a real Next server
  });

  it("writes one audit event per change, hash-chained", async () => {
    const before = await db.auditEvent.count({ where: { action: "registry.create" } });
    await call(collection.POST, { token: admin, method: "POST", body: { name: "audited", kind: "GENERIC", endpoint: "https://a.example.com" } });
    const events = await db.auditEvent.findMany({ where: { action: "registry.create" }, orderBy: { id: "asc" } });
    expect(events.length).toBe(before + 1);
    expect(events.at(-1)!.details).toMatchObject({ name: "audited" });
    const all = await db.auditEvent.findMany({ orderBy: { id: "asc" } });
    const chained = all.filter((e) => e.hash !== "trigger-test");
    for (let i = 1; i < chained.length; i++) expect(chained[i].prevHash).toBe(chained[i - 1].hash);
  });
});

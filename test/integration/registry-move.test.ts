// Issue #12 item 5: moving a registry (endpoint, API endpoint, TLS verification off) never takes
// its stored credentials along; they must be entered again (or removed), and the move is audited.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import * as item from "@/app/api/v1/registries/[id]/route";
import * as testRoute from "@/app/api/v1/registries/[id]/test/route";
import { db } from "@/lib/db";
import { registryConnection } from "@/lib/services/registries";
import { call, userWithToken } from "../support/api";

let admin: string;
let trap: http.Server;
let trapUrl: string;
const seen: string[] = [];

beforeAll(async () => {
  admin = (await userWithToken("ADMIN")).token;
  // a host the registry was moved to: asks for Basic credentials and records what it gets
  trap = http.createServer((req, res) => {
    if (req.headers.authorization) seen.push(req.headers.authorization);
    res.writeHead(401, { "www-authenticate": 'Basic realm="trap"', "content-type": "application/json" }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
  });
  await new Promise<void>((r) => trap.listen(0, "127.0.0.1", r));
  trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => trap.close(() => r())));

async function create(name: string, body: Record<string, unknown> = {}) {
  const r = await call(collection.POST, { token: admin, method: "POST", body: { name, kind: "GENERIC", endpoint: "http://127.0.0.1:1", credentials: { username: "alice", password: "s3cret-password-of-alice" }, ...body } });
  expect(r.status).toBe(201);
  return r.json.id as string;
}

const patch = (id: string, body: unknown) => call(item.PATCH, { token: admin, method: "PATCH", params: { id }, body });

describe("moving a registry", () => {
  it("refuses a new endpoint without the credentials entered again: nothing changes, nothing reaches the new host", async () => {
    const id = await create("move-endpoint");
    const r = await patch(id, { endpoint: trapUrl });
    expect(r.status).toBe(422);
    expect(r.json.error.code).toBe("CREDENTIALS_REQUIRED");
    expect(r.json.error.message).toContain("endpoint");
    expect(r.json.error.details.issues[0].field).toBe("credentials");
    expect(r.text).not.toContain("s3cret");
    const after = await registryConnection(id);
    expect(after.endpoint).toBe("http://127.0.0.1:1");
    expect(after.credentials?.password).toBe("s3cret-password-of-alice");
    // the connection test still goes to the old place: the trap sees no credentials
    await call(testRoute.POST, { token: admin, method: "POST", params: { id } });
    expect(seen).toEqual([]);
    const denied = await db.auditEvent.findFirst({ where: { registryId: id, action: "registry.update" }, orderBy: { id: "desc" } });
    expect(denied).toMatchObject({ outcome: "denied" });
    expect(JSON.stringify(denied!.details)).toContain(trapUrl);
  });

  it("refuses a new API endpoint and turning TLS verification off the same way", async () => {
    const id = await create("move-api", { kind: "GITLAB", endpoint: "https://registry.gitlab.example", credentials: { username: "u", password: "glpat-secret-secret" } });
    expect((await patch(id, { apiEndpoint: trapUrl })).json.error.code).toBe("CREDENTIALS_REQUIRED");
    expect((await patch(id, { insecure: true })).json.error.code).toBe("CREDENTIALS_REQUIRED");
    // spelling out the default is no move; neither is a rename or a namespace
    expect((await patch(id, { apiEndpoint: "https://gitlab.com", name: "move-api-2", namespace: "acme" })).status).toBe(200);
    expect((await registryConnection(id)).credentials?.password).toBe("glpat-secret-secret");
  });

  it("moves with the credentials entered again, or with them removed, and audits where to", async () => {
    const id = await create("move-ok");
    const r = await patch(id, { endpoint: trapUrl, credentials: { username: "bob", password: "new-password-for-trap" } });
    expect(r.status).toBe(200);
    expect((await registryConnection(id)).credentials?.username).toBe("bob");
    const ev = await db.auditEvent.findFirst({ where: { registryId: id, action: "registry.update", outcome: "success" }, orderBy: { id: "desc" } });
    expect(ev!.details).toMatchObject({ moves: [{ field: "endpoint", from: "http://127.0.0.1:1", to: trapUrl }], credentials: "entered again" });
    expect(JSON.stringify(ev!.details)).not.toContain("new-password");

    const id2 = await create("move-clear");
    expect((await patch(id2, { endpoint: trapUrl, credentials: null })).status).toBe(200);
    expect((await registryConnection(id2)).credentials).toBeNull();
  });

  it("lets an open registry move freely", async () => {
    const id = await create("move-open", { credentials: undefined });
    expect((await patch(id, { endpoint: trapUrl })).status).toBe(200);
  });
});

// "Test connection" against real registries: open, htpasswd, token auth, deletes disabled, down.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import * as testRoute from "@/app/api/v1/registries/[id]/test/route";
import { startRegistry, type RunningRegistry } from "../harness";
import { call, userWithToken } from "../support/api";

const regs: RunningRegistry[] = [];
let admin: string;
let viewer: string;

async function add(name: string, endpoint: string, credentials?: Record<string, string>) {
  const r = await call(collection.POST, { token: admin, method: "POST", body: { name, kind: "GENERIC", endpoint, credentials } });
  expect(r.status).toBe(201);
  return r.json.id as string;
}

const test = async (id: string, token = admin) => (await call(testRoute.POST, { token, method: "POST", params: { id } })).json;

beforeAll(async () => {
  admin = (await userWithToken("ADMIN")).token;
  viewer = (await userWithToken("VIEWER")).token;
  regs.push(
    await startRegistry({ mode: "open", name: "open" }),
    await startRegistry({ mode: "htpasswd", name: "basic" }),
    await startRegistry({ mode: "token", name: "token" }),
    await startRegistry({ mode: "open", name: "nodelete", deleteEnabled: false }),
  );
});

afterAll(async () => {
  await Promise.all(regs.map((r) => r.stop()));
});

describe("test connection", () => {
  it("a viewer's test sends no push or delete probe with the stored credentials; an admin's does", async () => {
    // a registry that records every request and says yes to all of them
    const seen: string[] = [];
    const stand = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ? "with-credentials" : ""}`);
      req.resume();
      res.setHeader("docker-distribution-api-version", "registry/2.0");
      if (req.url?.startsWith("/v2/_catalog")) return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ repositories: ["team/app"] }));
      if (req.method === "POST") return void res.writeHead(202, { location: "/v2/team/app/blobs/uploads/u1" }).end();
      res.writeHead(req.method === "DELETE" ? 202 : 200, { "content-type": "application/json" }).end("{}");
    });
    await new Promise<void>((r) => stand.listen(0, "127.0.0.1", r));
    try {
      const id = await add("t-probe", `http://127.0.0.1:${(stand.address() as AddressInfo).port}`, { username: "ci", password: "stored-secret" });
      const asViewer = await test(id, viewer);
      expect(asViewer).toMatchObject({ reachable: true, authenticated: true, catalog: true, delete: null });
      expect(asViewer.message).toMatch(/only when an admin runs the test/);
      expect(seen.filter((s) => !s.startsWith("GET ") && !s.startsWith("HEAD "))).toEqual([]);
      seen.length = 0;
      const asAdmin = await test(id, admin);
      expect(asAdmin.delete).toBe(true);
      expect(seen.some((s) => s.startsWith("DELETE "))).toBe(true);
    } finally {
      stand.close();
    }
  });

  it("reports an open registry with deletes enabled", async () => {
    const r = await test(await add("t-open", regs[0].url));
    expect(r).toMatchObject({ reachable: true, authenticated: true, catalog: true, delete: true });
    expect(r.message).toContain("anonymously");
  });

  it("reports basic auth with good credentials, and the registry's refusal with bad ones", async () => {
    const [, basic] = regs;
    const good = await test(await add("t-basic", basic.url, { username: basic.username!, password: basic.password! }));
    expect(good).toMatchObject({ reachable: true, authenticated: true, catalog: true, delete: true });
    const bad = await test(await add("t-basic-bad", basic.url, { username: basic.username!, password: "wrong-password" }));
    expect(bad).toMatchObject({ reachable: true, authenticated: false, catalog: false });
    expect(bad.message).toMatch(/refused the credentials.*UNAUTHORIZED/i);
    expect(JSON.stringify(bad)).not.toContain("wrong-password");
  });

  it("goes through the token flow", async () => {
    const tok = regs[2];
    const r = await test(await add("t-token", tok.url, { username: tok.username!, password: tok.password! }));
    expect(r).toMatchObject({ reachable: true, authenticated: true, catalog: true });
    expect(r.message).toContain("token auth");
  });

  it("tells when deletes are disabled", async () => {
    const r = await test(await add("t-nodelete", regs[3].url));
    expect(r).toMatchObject({ reachable: true, authenticated: true, delete: false });
    expect(r.message).toContain("Deleting is disabled");
  });

  it("says a stopped registry cannot be reached", async () => {
    const reg = await startRegistry({ mode: "open", name: "gone" });
    const id = await add("t-gone", reg.url);
    await reg.stop();
    const r = await test(id);
    expect(r).toMatchObject({ reachable: false, authenticated: false });
    expect(r.message).toContain(`cannot reach ${reg.host}`);
  });
});

// The Quay provider end to end: a real registry:2 behind Quay's token flow (realm /v2/auth on the
// stand-in, robot account `acme+ci`, `delete` scopes refused, push authorizing DELETE) and the
// loopback Quay REST API answering from that registry's storage. Checked with skopeo.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as reposRoute from "@/app/api/v1/registries/[id]/repositories/route";
import * as tagsRoute from "@/app/api/v1/registries/[id]/tags/route";
import * as testRoute from "@/app/api/v1/registries/[id]/test/route";
import { pushImage, retag, skopeoInspect, skopeoListTags } from "../harness";
import { startQuay, type QuaySetup } from "../harness/vendors/quay";
import { addRegistry, call, type RouteHandler, tagDetails, userWithToken } from "../support/api";

let q: QuaySetup;
let admin: string;
const digests: Record<string, string> = {};
const started = Date.now();

const route = (handler: RouteHandler, id: string, query: Record<string, string>, method = "GET") => call(handler, { token: admin, method, params: { id }, query });

const add = (name: string, credentials: Record<string, string>, extra: Record<string, unknown> = {}) => addRegistry(admin, { name, kind: "QUAY", endpoint: q.registry.url, apiEndpoint: q.quay.url, credentials, ...extra });
const testConnection = async (id: string) => (await call(testRoute.POST, { token: admin, method: "POST", params: { id } })).json;

beforeAll(async () => {
  admin = (await userWithToken("ADMIN")).token;
  q = await startQuay({ name: "quay-int", robots: { "acme+ci": { password: "robot-token-ci-0001", write: true }, "acme+reader": { password: "robot-token-reader-01", write: false } }, tokens: { "oauth-rw-token": { read: true, write: true }, "oauth-ro-token": { read: true } } });
  digests["acme/app:1.0"] = await pushImage(q.registry, "acme/app:1.0", { labels: { build: "quay-1" } });
  digests["acme/app:stable"] = await retag(q.registry, "acme/app", "1.0", "stable");
  digests["acme/app:2.0"] = await pushImage(q.registry, "acme/app:2.0", { labels: { build: "quay-2" } });
  digests["acme/tools:1"] = await pushImage(q.registry, "acme/tools:1", { labels: { build: "quay-tools" } });
});
afterAll(async () => {
  await q?.stop();
});

describe("Quay with a robot account and an OAuth token", () => {
  let id: string;
  beforeAll(async () => {
    id = await add("quay-rw", { username: q.robot.username, password: q.robot.password, apiToken: "oauth-rw-token" });
  });

  it("test connection: token flow through /v2/auth, the REST API lists the organisation and may delete", async () => {
    const t = await testConnection(id);
    expect(t).toMatchObject({ reachable: true, authenticated: true, catalog: true, delete: true, missing: [] });
    expect(t.message).toContain("as acme+ci (Quay token auth)");
    expect(q.quay.log.some((r) => r.url.startsWith("/v2/auth?"))).toBe(true);
    expect(JSON.stringify(t)).not.toMatch(/oauth-rw-token|robot-token/);
    // the push check opened an upload and cancelled it
    const log = await q.registry.settledAccessLog();
    const uploads = log.filter((e) => e.path.startsWith("/v2/acme/app/blobs/uploads/"));
    expect(uploads.map((e) => `${e.method} ${e.status}`)).toEqual(expect.arrayContaining(["POST 202", "DELETE 204"]));
  });

  it("browses: repositories from the REST API, pushed-at and size from Quay beside the /v2 digests", async () => {
    const repos = await route(reposRoute.GET, id, {});
    expect(repos.json.repositories.map((r: { name: string }) => r.name)).toEqual(["acme/app", "acme/tools"]);
    expect(q.quay.log.some((r) => r.url.startsWith("/api/v1/repository?namespace=acme"))).toBe(true);
    const tags = await route(tagsRoute.GET, id, { repository: "acme/app" });
    expect(tags.json.tags.map((t: { name: string }) => t.name).sort()).toEqual(["1.0", "2.0", "stable"]);
    const rows = await tagDetails(admin, id, "acme/app", ["1.0", "2.0", "stable"]);
    for (const row of rows) {
      expect(row.digest).toBe(digests[`acme/app:${row.name}`]);
      expect(row.digest).toBe((await skopeoInspect(q.registry, `acme/app:${row.name}`)).Digest);
      const pushed = new Date(row.pushedAt!).getTime();
      expect(pushed).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
      expect(pushed).toBeLessThanOrEqual(Date.now());
      expect(row.pushedBy).toBeUndefined(); // Quay's tag API names no pusher
    }
    expect(q.quay.log.some((r) => r.url.includes("/api/v1/repository/acme/app/tag/?") && r.url.includes("onlyActiveTags=true"))).toBe(true);
  });

  it("deletes one tag through the REST API: only that tag goes (skopeo), its manifest and sibling stay", async () => {
    const preview = await route(tagsRoute.DELETE, id, { repository: "acme/app", tag: "stable" }, "DELETE");
    expect(preview.status).toBe(409);
    expect(preview.json.error.details).toMatchObject({ method: "tag", tags: ["stable"], digest: digests["acme/app:stable"] });
    const del = await route(tagsRoute.DELETE, id, { repository: "acme/app", tag: "stable", confirmDigest: digests["acme/app:stable"] }, "DELETE");
    expect(del.status, del.text).toBe(200);
    expect(del.json).toMatchObject({ deleted: ["stable"] });
    expect((await skopeoListTags(q.registry, "acme/app")).sort()).toEqual(["1.0", "2.0"]);
    expect((await skopeoInspect(q.registry, "acme/app:1.0")).Digest).toBe(digests["acme/app:1.0"]);
    expect(q.quay.log.some((r) => r.method === "DELETE" && r.url === "/api/v1/repository/acme/app/tag/stable")).toBe(true);
  });
});

describe("what test connection says is missing", () => {
  it("a read-only OAuth token: lists, but may not delete tags", async () => {
    const t = await testConnection(await add("quay-ro", { username: q.robot.username, password: q.robot.password, apiToken: "oauth-ro-token" }));
    expect(t).toMatchObject({ authenticated: true, catalog: true, delete: false });
    expect(t.missing.join(" ")).toContain("Read/Write to any accessible repositories");
  });

  it("no OAuth token: says what is lost; the /v2 catalog still lists; a delete goes by digest with a push token (no delete scope asked)", async () => {
    const id = await add("quay-robot-only", { username: q.robot.username, password: q.robot.password });
    const t = await testConnection(id);
    expect(t).toMatchObject({ authenticated: true, catalog: true, delete: null, missing: ["OAuth application token (REST API)"] });
    expect(t.message).toContain("pushed-at times and sizes from Quay do not show");
    const repos = await route(reposRoute.GET, id, {});
    expect(repos.json.repositories.map((r: { name: string }) => r.name)).toEqual(["acme/app", "acme/tools"]);
    const del = await route(tagsRoute.DELETE, id, { repository: "acme/tools", tag: "1", confirmDigest: digests["acme/tools:1"] }, "DELETE");
    expect(del.status, del.text).toBe(200);
    await expect(skopeoInspect(q.registry, "acme/tools:1")).rejects.toThrow();
    const asked = q.registry.tokenServer!.log.flatMap((e) => e.scopes);
    expect(asked.some((s) => /acme\/tools:.*delete/.test(s) && !/push/.test(s))).toBe(false);
  });

  it("a robot with Read only: its token is downscoped, and test connection asks for Write", async () => {
    const t = await testConnection(await add("quay-reader", { username: "acme+reader", password: "robot-token-reader-01", apiToken: "oauth-rw-token" }));
    expect(t).toMatchObject({ authenticated: true, catalog: true, delete: true, missing: ["Write permission for the robot on acme/app"] });
    expect(t.message).toContain("may not push to acme/app");
  });

  it("a wrong robot token: not authenticated, in plain words, without the secret", async () => {
    const t = await testConnection(await add("quay-bad", { username: q.robot.username, password: "wrong-robot-token", apiToken: "oauth-rw-token" }));
    expect(t).toMatchObject({ reachable: true, authenticated: false });
    expect(t.message).toContain("Quay refused the robot account");
    expect(JSON.stringify(t)).not.toContain("wrong-robot-token");
  });
});

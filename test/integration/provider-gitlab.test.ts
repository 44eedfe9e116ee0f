// GitLab provider end to end through the API routes: a real registry 2.8 whose challenge points at
// GitLab's /jwt/auth (the loopback GitLab hands it to the harness token server), and GitLab's
// container registry REST API answered from that registry's storage. skopeo checks the results.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as reposRoute from "@/app/api/v1/registries/[id]/repositories/route";
import * as tagsRoute from "@/app/api/v1/registries/[id]/tags/route";
import * as detailsRoute from "@/app/api/v1/registries/[id]/tags/details/route";
import * as testRoute from "@/app/api/v1/registries/[id]/test/route";
import type { TagDetailsAnswer } from "@/lib/schemas/browse";
import { pushImage, retag, skopeoInspect, startRegistry, type RunningRegistry } from "../harness";
import { startGitLabApi, useGitLabRealm, type GitLabApi } from "../harness/vendors/gitlab";
import { packageState } from "../harness/vendors/package-state";
import { addRegistry, call, type RouteHandler, userWithToken } from "../support/api";

let reg: RunningRegistry;
let gl: GitLabApi;
let admin: string;
let id: string;
const digests: Record<string, string> = {};

const req = (handler: RouteHandler, registryId: string, query: Record<string, string>, method = "GET") => call(handler, { token: admin, method, params: { id: registryId }, query });

const add = (name: string, username: string, password: string) => addRegistry(admin, { name, kind: "GITLAB", endpoint: reg.url, apiEndpoint: gl.url, namespace: "acme/web", credentials: { username, password } });

beforeAll(async () => {
  reg = await startRegistry({ mode: "token", name: "gitlab", users: { alice: "glpat-alice", "gitlab+deploy-token-1": "gldt-deploy" } });
  gl = await startGitLabApi({
    state: packageState(reg), projects: ["acme/web", "acme/other"], groups: ["acme"], tokenRealm: reg.tokenServer!.url,
    tokens: {
      "glpat-alice": { kind: "personal", username: "alice", scopes: ["api", "read_registry", "write_registry"], expiresAt: "2027-06-30" },
      "gldt-deploy": { kind: "deploy", username: "gitlab+deploy-token-1", scopes: ["read_registry", "write_registry"] },
    },
  });
  await useGitLabRealm(reg, gl);
  digests["acme/web:1.0"] = await pushImage(reg, "acme/web:1.0", { layers: [{ files: { "/v": "1" } }] });
  digests["acme/web:stable"] = await retag(reg, "acme/web", "1.0", "stable");
  digests["acme/web:2.0"] = await pushImage(reg, "acme/web:2.0", { layers: [{ files: { "/v": "2" }, randomBytes: 4096 }] });
  // a reproducible build: SOURCE_DATE_EPOCH=0 makes the config's created 1970-01-01
  digests["acme/web:repro"] = await pushImage(reg, "acme/web:repro", { layers: [{ files: { "/r": "1" } }], created: "1970-01-01T00:00:00Z" });
  digests["acme/web/worker:0.1"] = await pushImage(reg, "acme/web/worker:0.1", { layers: [{ files: { "/w": "1" } }] });
  await pushImage(reg, "acme/other:1", { layers: [{ files: { "/o": "1" } }] });
  admin = (await userWithToken("ADMIN")).token;
  id = await add("gitlab-int", "alice", "glpat-alice");
});

afterAll(async () => {
  await gl?.stop();
  await reg?.stop();
});

describe("GitLab provider against registry 2.8 + the GitLab REST API", () => {
  it("lists the project's repositories with tag counts, nothing of other projects", async () => {
    const r = await req(reposRoute.GET, id, {});
    expect(r.status, r.text).toBe(200);
    expect(r.json.repositories.map((x: { name: string }) => x.name).sort()).toEqual(["acme/web", "acme/web/worker"]);
    expect(gl.log.some((l) => l.path.startsWith("/api/v4/projects/10/registry/repositories?"))).toBe(true);
  });

  it("digests through the /jwt/auth token flow; GitLab's created_at is the build time (created), never a push", async () => {
    const before = gl.log.length;
    const r = await call(detailsRoute.POST, { token: admin, method: "POST", params: { id }, body: { repository: "acme/web", tags: ["1.0", "stable", "2.0", "repro"] } });
    expect(r.status, r.text).toBe(200);
    for (const row of (r.json as TagDetailsAnswer).tags) {
      expect(row.digest).toBe((await skopeoInspect(reg, `acme/web:${row.name}`)).Digest);
      // GitLab reports no push time: a 1970 build must not read as a push in 1970
      expect(row.pushedAt, row.name).toBeUndefined();
    }
    const repro = (r.json as TagDetailsAnswer).tags.find((t) => t.name === "repro")!;
    expect(repro.createdAt).toBe("1970-01-01T00:00:00.000Z");
    expect(gl.log.some((l) => l.path === "/jwt/auth" && l.status === 200)).toBe(true);
    // details for the four tags asked about, and no listing of the repository's tags
    const calls = gl.log.slice(before).filter((l) => l.path.includes("/tags"));
    expect(calls.map((l) => l.path.replace(/^\/api\/v4\/projects\/10\/registry\/repositories\/\d+\/tags/, "")).sort()).toEqual(["/1.0", "/2.0", "/repro", "/stable"]);
  });

  it("test connection: scopes, expiry and the project", async () => {
    const t = await call(testRoute.POST, { token: admin, method: "POST", params: { id } });
    expect(t.json).toMatchObject({ reachable: true, authenticated: true, catalog: true, delete: true, missing: [] });
    expect(t.json.message).toContain("project acme/web");
    expect(t.json.message).toContain("expires on 2027-06-30");
  });

  it("deletes one tag through the API: its sibling on the same digest stays", async () => {
    const preview = await req(tagsRoute.DELETE, id, { repository: "acme/web", tag: "1.0", dryRun: "true" }, "DELETE");
    expect(preview.json).toMatchObject({ method: "tag", tags: ["1.0"], digest: digests["acme/web:1.0"] });
    const del = await req(tagsRoute.DELETE, id, { repository: "acme/web", tag: "1.0", confirmDigest: digests["acme/web:1.0"] }, "DELETE");
    expect(del.status, del.text).toBe(200);
    expect(del.json.deleted).toEqual(["1.0"]);
    await expect(skopeoInspect(reg, "acme/web:1.0")).rejects.toThrow();
    expect((await skopeoInspect(reg, "acme/web:stable")).Digest).toBe(digests["acme/web:1.0"]);
    expect(gl.log.some((l) => l.method === "DELETE" && l.path.endsWith("/tags/1.0") && l.status === 200)).toBe(true);
  });

  it("a deploy token: test connection says what is lost; /v2 still browses; deletes go by digest", async () => {
    const deployId = await add("gitlab-int-deploy", "gitlab+deploy-token-1", "gldt-deploy");
    const t = await call(testRoute.POST, { token: admin, method: "POST", params: { id: deployId } });
    expect(t.json).toMatchObject({ reachable: true, authenticated: true, catalog: false });
    expect(t.json.message).toMatch(/deploy token/);
    expect(t.json.message).toMatch(/cannot list the project's other repositories, show a tag's size as GitLab reports it, or delete a single tag/);
    const repos = await req(reposRoute.GET, deployId, {});
    expect(repos.status, repos.text).toBe(200);
    expect(repos.json.repositories.map((x: { name: string }) => x.name)).toContain("acme/web");
    const rows = await call(detailsRoute.POST, { token: admin, method: "POST", params: { id: deployId }, body: { repository: "acme/web", tags: ["2.0"] } });
    expect(rows.json.tags[0].digest).toBe(digests["acme/web:2.0"]);
    const preview = await req(tagsRoute.DELETE, deployId, { repository: "acme/web", tag: "2.0", dryRun: "true" }, "DELETE");
    expect(preview.json).toMatchObject({ method: "digest", tags: ["2.0"] });
    expect(preview.json.explanation).toMatch(/deploy token/);
    const del = await req(tagsRoute.DELETE, deployId, { repository: "acme/web", tag: "2.0", confirmDigest: digests["acme/web:2.0"] }, "DELETE");
    expect(del.status, del.text).toBe(200);
    await expect(skopeoInspect(reg, "acme/web:2.0")).rejects.toThrow();
    expect((await skopeoInspect(reg, "acme/web:stable")).Digest).toBe(digests["acme/web:1.0"]);
  });
});

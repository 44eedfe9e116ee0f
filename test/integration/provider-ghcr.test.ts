// GHCR provider end to end through the API routes: a real registry 2.8 behind the token flow
// (ghcr.io's /token, played by the harness token server) and a loopback api.github.com answering
// the packages API from that registry's storage. skopeo checks what the registry really holds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import * as reposRoute from "@/app/api/v1/registries/[id]/repositories/route";
import * as tagsRoute from "@/app/api/v1/registries/[id]/tags/route";
import * as detailsRoute from "@/app/api/v1/registries/[id]/tags/details/route";
import * as testRoute from "@/app/api/v1/registries/[id]/test/route";
import * as healthRoute from "@/app/api/v1/registries/[id]/health/route";
import { pushImage, pushIndex, retag, skopeoInspect, startRegistry, type PushedIndex, type RunningRegistry } from "../harness";
import { startGitHubApi, type GitHubApi } from "../harness/vendors/github";
import { packageState } from "../harness/vendors/package-state";
import { addRegistry, call, type RouteHandler, tagDetails, userWithToken } from "../support/api";

let reg: RunningRegistry;
let gh: GitHubApi;
let admin: string;
let id: string;
const digests: Record<string, string> = {};
let multi: PushedIndex;

const get = (handler: RouteHandler, registryId: string, query: Record<string, string>, method = "GET") => call(handler, { token: admin, method, params: { id: registryId }, query });

const add = (name: string, username: string, password: string) => addRegistry(admin, { name, kind: "GHCR", endpoint: reg.url, apiEndpoint: gh.url, namespace: "acme", credentials: { username, password } });

beforeAll(async () => {
  reg = await startRegistry({ mode: "token", name: "ghcr", users: { alice: "ghp_alice_classic", bob: "ghp_bob_readonly" } });
  digests["acme/api:1.0.0"] = await pushImage(reg, "acme/api:1.0.0", { layers: [{ files: { "/v": "1" } }] });
  digests["acme/api:stable"] = await retag(reg, "acme/api", "1.0.0", "stable");
  digests["acme/api:2.0.0"] = await pushImage(reg, "acme/api:2.0.0", { layers: [{ files: { "/v": "2" } }] });
  digests["acme/team/web:1.0"] = await pushImage(reg, "acme/team/web:1.0", { layers: [{ files: { "/w": "1" } }] });
  multi = await pushIndex(reg, "acme/multi:1.0");
  await pushImage(reg, "someone-else/x:1", { layers: [{ files: { "/x": "1" } }] });
  gh = await startGitHubApi({
    state: packageState(reg), owner: "acme", ownerType: "Organization",
    tokens: {
      ghp_alice_classic: { login: "alice", scopes: ["read:packages", "write:packages", "delete:packages", "repo"], expiresAt: "2027-01-31 12:00:00 UTC" },
      ghp_bob_readonly: { login: "bob", scopes: ["read:packages"] },
    },
  });
  admin = (await userWithToken("ADMIN")).token;
  id = await add("ghcr-int", "alice", "ghp_alice_classic");
});

afterAll(async () => {
  await gh?.stop();
  await reg?.stop();
});

describe("GHCR provider against registry 2.8 + the GitHub packages API", () => {
  it("lists the organisation's container packages as repositories (nested names, nobody else's)", async () => {
    const r = await get(reposRoute.GET, id, {});
    expect(r.status, r.text).toBe(200);
    expect(r.json.repositories.map((x: { name: string }) => x.name).sort()).toEqual(["acme/api", "acme/multi", "acme/team/web"]);
    expect(gh.log.some((l) => l.method === "GET" && l.path.startsWith("/orgs/acme/packages?package_type=container"))).toBe(true);
  });

  it("fills digests through the token flow and pushed-at times from the versions API", async () => {
    const tags = await get(tagsRoute.GET, id, { repository: "acme/api" });
    expect(tags.json.tags.map((t: { name: string }) => t.name).sort()).toEqual(["1.0.0", "2.0.0", "stable"]);
    const rows = await tagDetails(admin, id, "acme/api", ["1.0.0", "stable", "2.0.0"]);
    for (const row of rows) {
      expect(row.digest).toBe((await skopeoInspect(reg, `acme/api:${row.name}`)).Digest);
      expect(row.pushedAt, row.name).toBeDefined();
      expect(Math.abs(Date.parse(row.pushedAt!) - Date.now())).toBeLessThan(10 * 60_000);
    }
    expect(gh.log.some((l) => l.path.startsWith("/orgs/acme/packages/container/api/versions"))).toBe(true);
    expect(reg.tokenServer!.log.some((e) => e.user === "alice" && e.status === 200)).toBe(true);
  });

  it("a nested package (acme/team/web) and a multi-arch index read through the encoded package name", async () => {
    const r = await call(detailsRoute.POST, { token: admin, method: "POST", params: { id }, body: { repository: "acme/team/web", tags: ["1.0"] } });
    expect(r.json.tags[0]).toMatchObject({ name: "1.0", digest: digests["acme/team/web:1.0"] });
    expect(r.json.tags[0].pushedAt).toBeDefined();
    expect(gh.log.some((l) => l.path.startsWith("/orgs/acme/packages/container/team%2Fweb/versions"))).toBe(true);
    const m = await call(detailsRoute.POST, { token: admin, method: "POST", params: { id }, body: { repository: "acme/multi", tags: ["1.0"] } });
    expect(m.json.tags[0]).toMatchObject({ digest: multi.digest, kind: "index" });
    expect(m.json.tags[0].pushedAt).toBeDefined();
  });

  it("test connection: a full token passes; a read-only one is told which scopes to add", async () => {
    const ok = await call(testRoute.POST, { token: admin, method: "POST", params: { id } });
    expect(ok.json).toMatchObject({ reachable: true, authenticated: true, catalog: true, delete: true, missing: [] });
    expect(ok.json.message).toContain("expires on 2027-01-31");
    const bobId = await add("ghcr-int-bob", "bob", "ghp_bob_readonly");
    const bob = await call(testRoute.POST, { token: admin, method: "POST", params: { id: bobId } });
    expect(bob.json).toMatchObject({ authenticated: true, catalog: true, delete: false, missing: ["write:packages scope", "delete:packages scope"] });
    expect(bob.text).not.toContain("ghp_bob_readonly");
  });

  it("health carries the REST budget and the token's expiry", async () => {
    const h = await get(healthRoute.GET, id, {});
    expect(h.status, h.text).toBe(200);
    expect(h.json.rateLimit).toMatchObject({ limit: 5000 });
    expect(h.json.credentialExpiresAt).toBe("2027-01-31T12:00:00.000Z");
  });

  it("deletes through the packages API: the version goes with every tag on the digest, the rest stays", async () => {
    const preview = await get(tagsRoute.DELETE, id, { repository: "acme/api", tag: "1.0.0", dryRun: "true" }, "DELETE");
    expect(preview.status, preview.text).toBe(200);
    expect(preview.json).toMatchObject({ method: "digest", digest: digests["acme/api:1.0.0"], tags: ["1.0.0", "stable"] });
    expect(preview.json.explanation).toMatch(/GitHub deletes package versions/);
    const del = await get(tagsRoute.DELETE, id, { repository: "acme/api", tag: "1.0.0", confirmDigest: digests["acme/api:1.0.0"] }, "DELETE");
    expect(del.status, del.text).toBe(200);
    expect(del.json.deleted.sort()).toEqual(["1.0.0", "stable"]);
    expect(gh.log.some((l) => l.method === "DELETE" && /^\/orgs\/acme\/packages\/container\/api\/versions\/\d+$/.test(l.path) && l.status === 204)).toBe(true);
    await expect(skopeoInspect(reg, "acme/api:1.0.0")).rejects.toThrow();
    await expect(skopeoInspect(reg, "acme/api:stable")).rejects.toThrow();
    expect((await skopeoInspect(reg, "acme/api:2.0.0")).Digest).toBe(digests["acme/api:2.0.0"]);
  });

  it("a read-only token's delete fails with GitHub's words and deletes nothing", async () => {
    const bobId = (await (await call(collection.GET, { token: admin })).json).registries.find((r: { name: string }) => r.name === "ghcr-int-bob").id;
    const del = await get(tagsRoute.DELETE, bobId, { repository: "acme/team/web", tag: "1.0", confirmDigest: digests["acme/team/web:1.0"] }, "DELETE");
    expect(del.status).toBe(502);
    expect(del.json.error.message).toContain("delete:packages");
    expect((await skopeoInspect(reg, "acme/team/web:1.0")).Digest).toBe(digests["acme/team/web:1.0"]);
  });
});

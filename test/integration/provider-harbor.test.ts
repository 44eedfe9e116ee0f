// The Harbor provider end to end: a real registry:2 behind Harbor's token service (realm
// /service/token on the stand-in, robot accounts robot$library+…) and the loopback Harbor REST API
// (/api/v2.0) answering from that registry's storage. Checked with skopeo.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as reposRoute from "@/app/api/v1/registries/[id]/repositories/route";
import * as tagsRoute from "@/app/api/v1/registries/[id]/tags/route";
import * as detailsRoute from "@/app/api/v1/registries/[id]/tags/details/route";
import * as testRoute from "@/app/api/v1/registries/[id]/test/route";
import type { TagDetailsAnswer } from "@/lib/schemas/browse";
import { pushImage, retag, skopeoInspect, skopeoListTags } from "../harness";
import { startHarbor, type HarborSetup } from "../harness/vendors/harbor";
import { addRegistry, call, type RouteHandler, userWithToken } from "../support/api";

let h: HarborSetup;
let admin: string;
const digests: Record<string, string> = {};
const started = Date.now();
const CI = { username: "robot$library+ci", password: "harbor-ci-secret-1" };
const PULLER = { username: "robot$library+pull", password: "harbor-pull-secret-1" };

const route = (handler: RouteHandler, id: string, query: Record<string, string>, method = "GET") => call(handler, { token: admin, method, params: { id }, query });

const add = (name: string, credentials: Record<string, string>, extra: Record<string, unknown> = {}) => addRegistry(admin, { name, kind: "HARBOR", endpoint: h.registry.url, apiEndpoint: h.harbor.api, credentials, ...extra });
const testConnection = async (id: string) => (await call(testRoute.POST, { token: admin, method: "POST", params: { id } })).json;

beforeAll(async () => {
  admin = (await userWithToken("ADMIN")).token;
  h = await startHarbor({ name: "harbor-int", project: "library", users: { [CI.username]: { password: CI.password, delete: true }, [PULLER.username]: { password: PULLER.password, push: false } } });
  digests["library/app:1.0"] = await pushImage(h.registry, "library/app:1.0", { labels: { build: "harbor-1" } });
  digests["library/app:stable"] = await retag(h.registry, "library/app", "1.0", "stable");
  digests["library/app:2.0"] = await pushImage(h.registry, "library/app:2.0", { labels: { build: "harbor-2" } });
  digests["library/team/api:1"] = await pushImage(h.registry, "library/team/api:1", { labels: { build: "harbor-api" } });
});
afterAll(async () => {
  await h?.stop();
});

describe("Harbor with a project robot", () => {
  let id: string;
  beforeAll(async () => {
    id = await add("harbor-ci", CI); // no project given: the robot's own
  });

  it("test connection: /v2 through /service/token, the project listed, tag delete allowed", async () => {
    const t = await testConnection(id);
    expect(t).toMatchObject({ reachable: true, authenticated: true, catalog: true, delete: true, missing: [] });
    expect(t.message).toContain("as robot$library+ci (Harbor token service auth)");
    expect(h.harbor.log.some((r) => r.url.startsWith("/service/token?"))).toBe(true);
    expect(JSON.stringify(t)).not.toContain(CI.password);
  });

  it("browses: repositories of the project (names with the project), push times and sizes from the artifacts", async () => {
    const repos = await route(reposRoute.GET, id, {});
    expect(repos.json.repositories.map((r: { name: string }) => r.name)).toEqual(["library/app", "library/team/api"]);
    for (const [repository, names] of [["library/app", ["1.0", "2.0", "stable"]], ["library/team/api", ["1"]]] as const) {
      const tags = await route(tagsRoute.GET, id, { repository });
      expect(tags.json.tags.map((t: { name: string }) => t.name).sort()).toEqual(names);
      const r = await call(detailsRoute.POST, { token: admin, method: "POST", params: { id }, body: { repository, tags: names } });
      expect(r.status, r.text).toBe(200);
      for (const row of (r.json as TagDetailsAnswer).tags) {
        expect(row.digest).toBe((await skopeoInspect(h.registry, `${repository}:${row.name}`)).Digest);
        const pushed = new Date(row.pushedAt!).getTime();
        expect(pushed).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
        expect(pushed).toBeLessThanOrEqual(Date.now());
      }
    }
    // the nested repository went out double-encoded
    expect(h.harbor.log.some((r) => r.url.startsWith("/api/v2.0/projects/library/repositories/team%252Fapi/artifacts?"))).toBe(true);
  });

  it("deletes one tag through the REST API: only that tag goes (skopeo), the artifact and its other tag stay", async () => {
    const preview = await route(tagsRoute.DELETE, id, { repository: "library/app", tag: "stable" }, "DELETE");
    expect(preview.status).toBe(409);
    expect(preview.json.error.details).toMatchObject({ method: "tag", tags: ["stable"] });
    const del = await route(tagsRoute.DELETE, id, { repository: "library/app", tag: "stable", confirmDigest: digests["library/app:stable"] }, "DELETE");
    expect(del.status, del.text).toBe(200);
    expect((await skopeoListTags(h.registry, "library/app", { creds: CI })).sort()).toEqual(["1.0", "2.0"]);
    expect((await skopeoInspect(h.registry, "library/app:1.0", { creds: CI })).Digest).toBe(digests["library/app:1.0"]);
    expect(h.harbor.log.some((r) => r.method === "DELETE" && r.url === `/api/v2.0/projects/library/repositories/app/artifacts/${digests["library/app:stable"]}/tags/stable`)).toBe(true);
  });
});

describe("what test connection says is missing", () => {
  it("a pull-only robot: lists, but may neither push (its token is downscoped) nor delete tags", async () => {
    const t = await testConnection(await add("harbor-pull", PULLER, { namespace: "library" }));
    expect(t).toMatchObject({ authenticated: true, catalog: true, delete: false });
    expect(t.missing).toEqual(["the push permission on project library (robot: Repository → Push)", "the delete permission on project library (robot: Tag → Delete)"]);
    expect(t.message).toContain("may not push to library/app");
    // the check wrote nothing
    expect((await skopeoListTags(h.registry, "library/app", { creds: CI })).sort()).toEqual(["1.0", "2.0"]);
  });

  it("a project that does not exist: named in plain words", async () => {
    const t = await testConnection(await add("harbor-noproject", CI, { namespace: "nope" }));
    expect(t).toMatchObject({ authenticated: true, catalog: false });
    expect(t.missing.join(" ")).toContain("project nope");
    expect(t.message).toContain("project nope not found");
  });

  it("a wrong secret: not authenticated, without the secret", async () => {
    const t = await testConnection(await add("harbor-bad", { username: CI.username, password: "wrong-harbor-secret" }));
    expect(t).toMatchObject({ reachable: true, authenticated: false });
    expect(t.message).toContain("Harbor refused the credentials");
    expect(JSON.stringify(t)).not.toContain("wrong-harbor-secret");
  });
});

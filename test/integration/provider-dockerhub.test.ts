// Docker Hub through Regatta's API against a real registry:2 (token mode) behind the loopback
// Docker Hub stand-in: /v2 through the auth.docker.io-style token flow with user + PAT, browsing
// through the Hub API, pushed at / by from the Hub's tag listing, deleting one tag through the Hub
// API, the pull budget from a manifest HEAD (which does not count), a 429 with when to retry, and
// "test connection" telling what a token lacks. Results checked with skopeo.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import * as healthRoute from "@/app/api/v1/registries/[id]/health/route";
import * as manifestsRoute from "@/app/api/v1/registries/[id]/manifests/route";
import * as reposRoute from "@/app/api/v1/registries/[id]/repositories/route";
import * as tagsRoute from "@/app/api/v1/registries/[id]/tags/route";
import * as detailsRoute from "@/app/api/v1/registries/[id]/tags/details/route";
import * as testRoute from "@/app/api/v1/registries/[id]/test/route";
import { openProvider } from "@/lib/providers";
import { buildImage, pushImage, retag } from "../harness/images";
import { skopeoInspect, skopeoListTags, startRegistry, type RunningRegistry } from "../harness";
import { startDockerHub, type DockerHubStandIn } from "../harness/vendors/dockerhub";
import { call, userWithToken } from "../support/api";

let backing: RunningRegistry;
let hub: DockerHubStandIn;
let alice: RunningRegistry; // the stand-in's /v2 as alice with her Read, Write, Delete PAT
let admin: string;
let operator: string;
const digests: Record<string, string> = {};
const PAT = { rwd: "dckr_pat_rwd_0123456789", rw: "dckr_pat_rw_0123456789", ro: "dckr_pat_ro_0123456789" };

async function add(name: string, opts: { namespace?: string; password?: string } = {}) {
  const r = await call(collection.POST, {
    token: admin,
    method: "POST",
    body: { name, kind: "DOCKERHUB", endpoint: hub.registryUrl, apiEndpoint: hub.hubUrl, namespace: opts.namespace ?? "acme", credentials: { username: "alice", password: opts.password ?? PAT.rwd } },
  });
  expect(r.status, r.text).toBe(201);
  return r.json.id as string;
}

const get = (route: typeof reposRoute.GET, id: string, query: Record<string, string> = {}) =>
  route(new Request(`http://127.0.0.1:3000/api/v1/x?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${operator}` } }), { params: Promise.resolve({ id }) });

beforeAll(async () => {
  admin = (await userWithToken("ADMIN")).token;
  operator = (await userWithToken("OPERATOR")).token;
  backing = await startRegistry({ mode: "token", name: "dockerhub" });
  hub = await startDockerHub({
    registry: backing,
    users: { alice: { password: "alice-hub-password", pats: { [PAT.rwd]: "delete", [PAT.rw]: "write", [PAT.ro]: "read" }, orgs: ["acme"] } },
    seedPusher: "library-bot",
  });
  alice = hub.as("alice", PAT.rwd);
  // alice pushes through the stand-in (token flow, her PAT); official images go in behind its back
  const [one, two] = await Promise.all([buildImage({ labels: { v: "1" } }), buildImage({ labels: { v: "2" } })]);
  digests["acme/app:1.0"] = await pushImage(alice, "acme/app:1.0", one);
  digests["acme/app:1.1"] = await pushImage(alice, "acme/app:1.1", two);
  digests["acme/app:latest"] = await retag(backing, "acme/app", "1.1", "latest");
  digests["acme/web:1.0"] = await pushImage(alice, "acme/web:1.0", one);
  digests["library/nginx:1.27"] = await pushImage(backing, "library/nginx:1.27", two);
  await pushImage(backing, "ratelimitpreview/test:latest", one);
});

afterAll(async () => {
  await hub?.stop();
  await backing?.stop();
});

describe("Docker Hub provider", () => {
  it("lists a namespace's repositories through the Hub API (signed in once) and pages them", async () => {
    const id = await add("hub-browse");
    const logins = hub.logins;
    const res = await get(reposRoute.GET, id);
    expect(res.status).toBe(200);
    expect((await res.json()).repositories.map((r: { name: string }) => r.name)).toEqual(["acme/app", "acme/web"]);
    expect(hub.logins - logins).toBe(1);
    // the route's pages are 200 long; one repository a page shows the Hub's `next` being followed
    const provider = openProvider({ kind: "DOCKERHUB", endpoint: hub.registryUrl, apiEndpoint: hub.hubUrl, namespace: "acme", insecure: false, credentials: { username: "alice", password: PAT.rwd } });
    const page1 = await provider.listRepositories!({ pageSize: 1 });
    expect(page1).toMatchObject({ repositories: [{ name: "acme/app" }], nextCursor: "2" });
    const page2 = await provider.listRepositories!({ pageSize: 1, cursor: page1.nextCursor });
    expect(page2.repositories.map((r) => r.name)).toEqual(["acme/web"]);
    expect(page2.nextCursor).toBeUndefined();
    expect((await provider.listRepositories!({ pageSize: 100, query: "we" })).repositories.map((r) => r.name)).toEqual(["acme/web"]);
    expect(hub.hubLog.filter((l) => l.path.startsWith("/v2/namespaces/acme/repositories")).every((l) => l.auth && l.status === 200)).toBe(true);
  });

  it("shows tags with skopeo's digests and pushed at / by from the Hub's tag listing", async () => {
    const id = await add("hub-tags");
    const list = await (await get(tagsRoute.GET, id, { repository: "acme/app" })).json();
    expect(list.tags.map((t: { name: string }) => t.name).sort()).toEqual(["1.0", "1.1", "latest"]);
    const r = await call(detailsRoute.POST, { token: operator, method: "POST", params: { id }, body: { repository: "acme/app", tags: ["1.0", "1.1", "latest"] } });
    expect(r.status, r.text).toBe(200);
    const rows = Object.fromEntries(r.json.tags.map((t: { name: string }) => [t.name, t]));
    for (const tag of ["1.0", "1.1", "latest"]) {
      expect(rows[tag].digest).toBe((await skopeoInspect(alice, `acme/app:${tag}`)).Digest);
      expect(Date.now() - Date.parse(rows[tag].pushedAt)).toBeLessThan(10 * 60_000);
    }
    expect(rows["1.0"].pushedBy).toBe("alice"); // pushed through the stand-in with her token
    expect(rows.latest.pushedBy).toBe("library-bot"); // put there behind the Hub's back
    expect(hub.hubLog.some((l) => l.path.startsWith("/v2/namespaces/acme/repositories/app/tags?page=1&page_size=100"))).toBe(true);
  });

  it("reads official images under library/: 'nginx' is library/nginx", async () => {
    const id = await add("hub-library", { namespace: "library" });
    expect((await (await get(reposRoute.GET, id)).json()).repositories.map((r: { name: string }) => r.name)).toEqual(["library/nginx"]);
    const m = await (await get(manifestsRoute.GET, id, { repository: "nginx", reference: "1.27" })).json();
    expect(m.digest).toBe(digests["library/nginx:1.27"]);
    expect(m.digest).toBe((await skopeoInspect(alice, "library/nginx:1.27")).Digest);
  });

  it("deletes one tag through the Hub API: the other tags on the digest stay", async () => {
    const id = await add("hub-delete");
    const preview = await (await get(tagsRoute.DELETE as typeof reposRoute.GET, id, { repository: "acme/app", tag: "latest", dryRun: "1" })).json();
    expect(preview).toMatchObject({ method: "tag", tags: ["latest"], digest: digests["acme/app:latest"] });
    const res = await call(tagsRoute.DELETE, { token: operator, method: "DELETE", params: { id }, headers: {} , body: undefined });
    expect(res.status).toBe(422); // no repository/tag given: a clear error, nothing deleted
    const del = await tagsRoute.DELETE(
      new Request(`http://127.0.0.1:3000/api/v1/x?${new URLSearchParams({ repository: "acme/app", tag: "latest", confirmDigest: preview.digest })}`, { method: "DELETE", headers: { authorization: `Bearer ${operator}` } }),
      { params: Promise.resolve({ id }) },
    );
    expect(del.status, await del.clone().text()).toBe(200);
    expect(await del.json()).toMatchObject({ deleted: ["latest"] });
    expect((await skopeoListTags(alice, "acme/app")).sort()).toEqual(["1.0", "1.1"]);
    expect((await skopeoInspect(alice, "acme/app:1.1")).Digest).toBe(digests["acme/app:latest"]);
    expect(hub.hubLog.at(-1)).toMatchObject({ method: "DELETE", path: "/v2/repositories/acme/app/tags/latest/", status: 204 });
  });

  it("Hub refusing the undocumented tag delete for a Read, Write, Delete PAT: its answer and what is uncertain are shown, the tag stays", async () => {
    const id = await add("hub-refused");
    const preview = await (await get(tagsRoute.DELETE as typeof reposRoute.GET, id, { repository: "acme/web", tag: "1.0", dryRun: "1" })).json();
    expect(preview.explanation).toMatch(/published API description has no tag delete/);
    hub.refuseTagDelete("You do not have permission to perform this action.");
    try {
      const del = await tagsRoute.DELETE(
        new Request(`http://127.0.0.1:3000/api/v1/x?${new URLSearchParams({ repository: "acme/web", tag: "1.0", confirmDigest: digests["acme/web:1.0"] })}`, { method: "DELETE", headers: { authorization: `Bearer ${operator}` } }),
        { params: Promise.resolve({ id }) },
      );
      const body = await del.json();
      expect(del.status).toBe(502);
      expect(body.error.message).toContain("answered HTTP 403 “You do not have permission to perform this action.”");
      expect(body.error.message).toContain("published API description has no tag delete");
      expect(body.error.message).toContain("Nothing was deleted");
      expect(JSON.stringify(body)).not.toContain(PAT.rwd);
      expect(await skopeoListTags(alice, "acme/web")).toEqual(["1.0"]);
    } finally {
      hub.refuseTagDelete(null);
    }
  });

  it("a Read & Write token cannot delete: the Hub's refusal comes back and the tag stays", async () => {
    const id = await add("hub-rw", { password: PAT.rw });
    const q = { repository: "acme/web", tag: "1.0", confirmDigest: digests["acme/web:1.0"] };
    const del = await tagsRoute.DELETE(
      new Request(`http://127.0.0.1:3000/api/v1/x?${new URLSearchParams(q)}`, { method: "DELETE", headers: { authorization: `Bearer ${operator}` } }),
      { params: Promise.resolve({ id }) },
    );
    const body = await del.json();
    expect(del.status).toBe(502);
    expect(body.error).toMatchObject({ code: "DENIED" });
    expect(body.error.message).toContain("Delete permission");
    expect(JSON.stringify(body)).not.toContain(PAT.rw);
    expect(await skopeoListTags(alice, "acme/web")).toEqual(["1.0"]);
  });

  it("reads the pull budget with a HEAD (not counted); a manifest GET spends one pull", async () => {
    const id = await add("hub-budget");
    const h1 = await (await get(healthRoute.GET, id)).json();
    expect(h1).toMatchObject({ reachable: true, authenticated: true, rateLimit: { limit: 100, windowSeconds: 21600, scope: "per account alice" } });
    const before = hub.pulls("alice");
    expect(h1.rateLimit.remaining).toBe(100 - before);
    await (await get(healthRoute.GET, id)).json();
    expect(hub.pulls("alice")).toBe(before); // HEAD is a free version check
    expect((await get(manifestsRoute.GET, id, { repository: "acme/web", reference: "1.0" })).status).toBe(200);
    expect(hub.pulls("alice")).toBe(before + 1);
    const h2 = await (await get(healthRoute.GET, id)).json();
    expect(h2.rateLimit.remaining).toBe(h1.rateLimit.remaining - 1);
  });

  it("a 429 TOOMANYREQUESTS says when to retry, in the API answer and in the health's budget", async () => {
    const id = await add("hub-429");
    hub.force429({ retryAfterSeconds: 1800 });
    try {
      const res = await get(manifestsRoute.GET, id, { repository: "acme/web", reference: "1.0" });
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("1800");
      const body = await res.json();
      expect(body.error).toMatchObject({ code: "TOOMANYREQUESTS", details: { retryAfter: 1800 } });
      expect(body.error.message).toContain("pull rate limit");
      const h = await (await get(healthRoute.GET, id)).json();
      expect(h.rateLimit.remaining).toBe(0);
      expect(Date.parse(h.rateLimit.retryAt) - Date.now()).toBeGreaterThan(1700_000);
    } finally {
      hub.force429(null);
    }
    // once the limit lifts, the same read works again
    expect((await get(manifestsRoute.GET, id, { repository: "acme/web", reference: "1.0" })).status).toBe(200);
  });

  it("a Hub API 429 on listing comes back as 429 with the wait from X-Retry-After", async () => {
    const id = await add("hub-api-429");
    hub.forceApi429({ retryAfterSeconds: 90 });
    try {
      const res = await get(reposRoute.GET, id);
      expect(res.status).toBe(429);
      const body = await res.json();
      expect(body.error.code).toBe("TOOMANYREQUESTS");
      expect(body.error.details.retryAfter).toBeGreaterThanOrEqual(88);
    } finally {
      hub.forceApi429(null);
    }
  });

  it("test connection says what a token lacks, and a wrong token in the Hub's words", async () => {
    const full = (await call(testRoute.POST, { token: operator, method: "POST", params: { id: await add("hub-t-rwd") } })).json;
    // the registry token's delete action does not say the Hub API will delete: not claimed
    expect(full).toMatchObject({ reachable: true, authenticated: true, catalog: true, delete: null, missing: [] });
    expect(full.message).toContain("whether Docker Hub lets it delete tags is not known until the first delete");
    expect(full.message).not.toContain("can pull, push and delete");
    expect(full.message).toContain("2 repositories in acme");

    const rw = (await call(testRoute.POST, { token: operator, method: "POST", params: { id: await add("hub-t-rw", { password: PAT.rw }) } })).json;
    expect(rw).toMatchObject({ authenticated: true, delete: false });
    expect(rw.message).toContain("Read, Write, Delete");

    const ro = (await call(testRoute.POST, { token: operator, method: "POST", params: { id: await add("hub-t-ro", { password: PAT.ro }) } })).json;
    expect(ro).toMatchObject({ authenticated: true, delete: false });
    expect(ro.message).toContain("read-only");
    expect(ro.missing.join(" ")).toContain("Read & Write");

    const wrong = (await call(testRoute.POST, { token: operator, method: "POST", params: { id: await add("hub-t-bad", { password: "dckr_pat_revoked_999" }) } })).json;
    expect(wrong).toMatchObject({ reachable: true, authenticated: false });
    expect(wrong.message).toContain("incorrect username or password");
    expect(JSON.stringify(wrong)).not.toContain("dckr_pat_revoked_999");

    const nobody = (await call(testRoute.POST, { token: operator, method: "POST", params: { id: await add("hub-t-ns", { namespace: "nobody-here" }) } })).json;
    expect(nobody).toMatchObject({ authenticated: true, catalog: false });
    expect(nobody.message).toContain('does not know the namespace "nobody-here"');
  });
});

// GitLab provider against a loopback GitLab (the stand-in the integration and e2e tests use) and a
// loopback /v2 that only answers the ping.
import { afterEach, describe, expect, it } from "vitest";
import { RegistryError } from "@/lib/registry";
import { startGitLabApi, type GitLabApi, type GitLabToken } from "@/test/harness/vendors/gitlab";
import { memoryState } from "@/test/harness/vendors/package-state";
import { fixtureDigest, pingOnlyV2ForFile } from "@/test/harness/ping-v2";
import { gitlab, GitLabProvider, parseGitLabError } from "./gitlab";

const D = fixtureDigest;
const v2 = pingOnlyV2ForFile();
let api: GitLabApi | undefined;
afterEach(async () => { await api?.stop(); api = undefined; });

const TOKENS: Record<string, GitLabToken> = {
  "glpat-full": { kind: "personal", username: "alice", scopes: ["api", "read_registry", "write_registry"], expiresAt: "2027-02-01" },
  "glpat-read": { kind: "personal", username: "bob", scopes: ["read_api", "read_registry"] },
  "gldt-deploy": { kind: "deploy", username: "gitlab+deploy-token-1", scopes: ["read_registry", "write_registry"] },
};

async function setup(repos: Record<string, Record<string, string>>, namespace = "acme/web", token = "glpat-full", more: { built?: Record<string, string>; keysetTags?: boolean } = {}) {
  const state = memoryState(repos, undefined, more.built);
  api = await startGitLabApi({ state, projects: ["acme/web", "acme/api", "acme/web/sub"], groups: ["acme"], tokens: TOKENS, keysetTags: more.keysetTags });
  const open = (ns = namespace, t = token) => new GitLabProvider({ kind: "GITLAB", endpoint: v2.url, apiEndpoint: api!.url, namespace: ns, insecure: false, credentials: { username: TOKENS[t]?.username ?? "x", password: t } });
  return { state, provider: open(), open, api };
}

describe("GitLab provider", () => {
  it("lists a project's repositories page by page (X-Next-Page), with tag counts", async () => {
    const repos: Record<string, Record<string, string>> = { "acme/web": { latest: D(0), v1: D(0) }, "acme/api/server": { v1: D(1) } };
    for (let i = 0; i < 45; i++) repos[`acme/web/img-${String(i).padStart(2, "0")}`] = { v1: D(i) };
    const { provider, api } = await setup(repos);
    const pages: { name: string; tagCount?: number }[][] = [];
    let cursor: string | undefined;
    do {
      const p = await provider.listRepositories({ cursor, pageSize: 20 });
      pages.push(p.repositories);
      cursor = p.nextCursor;
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([20, 20, 6]);
    const all = pages.flat();
    expect(all.map((r) => r.name)).not.toContain("acme/api/server");
    expect(all.find((r) => r.name === "acme/web")).toEqual({ name: "acme/web", tagCount: 2 });
    expect(api.log.some((l) => l.path.startsWith("/api/v4/projects/acme%2Fweb?") || l.path === "/api/v4/projects/acme%2Fweb")).toBe(true);
    expect(api.log.filter((l) => l.path.includes("/registry/repositories?")).every((l) => l.path.includes("per_page=20"))).toBe(true);
  });

  it("lists a group's repositories when the path is a group, and filters by name", async () => {
    const { open } = await setup({ "acme/web": { v1: D(1) }, "acme/api/server": { v1: D(2) }, "acme/api/worker": { v1: D(3) } });
    const page = await open("acme").listRepositories({ pageSize: 50 });
    expect(page.repositories.map((r) => r.name).sort()).toEqual(["acme/api/server", "acme/api/worker", "acme/web"]);
    const filtered = await open("acme").listRepositories({ pageSize: 50, query: "WORK" });
    expect(filtered.repositories.map((r) => r.name)).toEqual(["acme/api/worker"]);
  });

  it("an unknown project or group says so", async () => {
    const { open } = await setup({});
    await expect(open("nope/nothing").listRepositories({ pageSize: 5 })).rejects.toThrow(/no project or group nope\/nothing/);
  });

  it("reads created_at (as the build time, never a push), total_size and digest per tag (tag names URL-encoded)", async () => {
    const built = { [D(1)]: "1970-01-01T00:00:00Z", [D(2)]: "2026-03-04T05:06:07Z" };
    const { provider, api } = await setup({ "acme/web/app": { "1.0": D(1), "v1.0_rc-1": D(2), latest: D(2) } }, "acme/web", "glpat-full", { built });
    const meta = await provider.tagMetadata("acme/web/app");
    expect(meta.map((m) => m.tag).sort()).toEqual(["1.0", "latest", "v1.0_rc-1"]);
    const rc = meta.find((m) => m.tag === "v1.0_rc-1")!;
    expect(rc.digest).toBe(D(2));
    expect(rc.size).toBeGreaterThan(0);
    expect(rc.createdAt).toBe("2026-03-04T05:06:07.000Z");
    // a reproducible build (SOURCE_DATE_EPOCH=0) is built "in 1970": that is no push time
    expect(meta.find((m) => m.tag === "1.0")).toMatchObject({ createdAt: "1970-01-01T00:00:00.000Z" });
    expect(meta.every((m) => m.pushedAt === undefined)).toBe(true);
    expect(api.log.filter((l) => /\/tags\/[^/?]+$/.test(l.path)).length).toBe(3);
    expect(api.log.every((l) => l.status < 400)).toBe(true);
  });

  it("asks details only for the tags it is given: no tag listing, one call per tag on screen", async () => {
    const tags: Record<string, string> = {};
    for (let i = 0; i < 300; i++) tags[`t${i}`] = D(i);
    const { provider, api } = await setup({ "acme/web": tags });
    expect(provider.tagMetadataPerTag).toBe(true);
    const meta = await provider.tagMetadata("acme/web", ["t1", "t2", "t2", "gone"]);
    expect(meta.map((m) => m.tag).sort()).toEqual(["t1", "t2"]);
    const tagCalls = api.log.filter((l) => l.path.includes("/tags"));
    expect(tagCalls.map((l) => l.path.replace(/.*\/tags/, "")).sort()).toEqual(["/gone", "/t1", "/t2"]);
  });

  it("lists tag names with keyset pagination, following Link; offset pages where GitLab refuses keyset", async () => {
    const tags: Record<string, string> = {};
    for (let i = 0; i < 250; i++) tags[`t${String(i).padStart(3, "0")}`] = D(i);
    const { provider, api } = await setup({ "acme/web": tags });
    const names = (await provider.tagMetadata("acme/web")).map((m) => m.tag);
    expect(names).toHaveLength(250);
    const lists = api.log.filter((l) => /\/tags\?/.test(l.path));
    expect(lists).toHaveLength(3);
    expect(lists.every((l) => l.path.includes("pagination=keyset") && l.status === 200)).toBe(true);
    await api.stop();
    const selfManaged = await setup({ "acme/web": tags }, "acme/web", "glpat-full", { keysetTags: false });
    expect((await selfManaged.provider.tagMetadata("acme/web")).length).toBe(250);
    const offset = selfManaged.api.log.filter((l) => /\/tags\?/.test(l.path));
    expect(offset.map((l) => l.status)).toEqual([405, 200, 200, 200]);
  });

  it("deletes one tag through the API: the other tags on the digest stay", async () => {
    const { provider, state } = await setup({ "acme/web": { "1.0": D(1), stable: D(1), "2.0": D(2) } });
    expect(provider.deleteMethod.scope).toBe("tag");
    await provider.deleteTag("acme/web", "1.0", D(1));
    expect(state.repos["acme/web"]).toEqual({ stable: D(1), "2.0": D(2) });
  });

  it("refuses to delete a tag that moved since it was confirmed", async () => {
    const { provider, state } = await setup({ "acme/web": { "1.0": D(1) } });
    await expect(provider.deleteTag("acme/web", "1.0", D(9))).rejects.toThrow(/moved to sha256:0+1 .*nothing was deleted/);
    expect(state.repos["acme/web"]).toEqual({ "1.0": D(1) });
  });

  it("a read_api token browses but cannot delete: GitLab's insufficient_scope, named", async () => {
    const { open, state } = await setup({ "acme/web": { "1.0": D(1) } });
    const reader = open("acme/web", "glpat-read");
    expect((await reader.listRepositories({ pageSize: 5 })).repositories).toHaveLength(1);
    const err = await reader.deleteTag("acme/web", "1.0", D(1)).catch((e) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.status).toBe(403);
    expect(err.message).toContain("insufficient_scope");
    expect(err.message).toContain("needs scope: api");
    expect(state.repos["acme/web"]).toEqual({ "1.0": D(1) });
    const test = await reader.testConnection();
    expect(test.missing).toEqual(["write_registry scope", "api scope (read_api browses; deleting a tag needs api)"]);
    expect(test).toMatchObject({ catalog: true, delete: false });
  });

  it("test connection with a full token: scopes, expiry, project found", async () => {
    const { provider } = await setup({ "acme/web": { "1.0": D(1) } });
    const r = await provider.testConnection();
    expect(r).toMatchObject({ reachable: true, authenticated: true, catalog: true, delete: true, missing: [] });
    expect(r.message).toContain("expires on 2027-02-01");
    expect(r.message).toContain("project acme/web");
    expect(JSON.stringify(r)).not.toContain("glpat-full");
    expect(await provider.credentialExpiry()).toBe("2027-02-01T00:00:00.000Z");
  });

  it("a deploy token: the REST API refuses it, test connection says what is lost, deletes go by digest", async () => {
    const { open } = await setup({ "acme/web": { "1.0": D(1) } });
    const deploy = open("acme/web", "gldt-deploy");
    expect(deploy.deleteMethod.scope).toBe("tag");
    const r = await deploy.testConnection();
    expect(r).toMatchObject({ reachable: true, authenticated: true, catalog: false });
    expect(r.message).toMatch(/deploy token/);
    expect(r.message).toMatch(/cannot list the project's other repositories/);
    expect(r.missing?.[0]).toMatch(/not a deploy token/);
    expect(deploy.deleteMethod.scope).toBe("digest");
    expect(await deploy.tagMetadata("acme/web")).toEqual([]);
  });

  it("a self-managed registry without a GitLab URL: the token goes nowhere else, and test connection asks for the URL", async () => {
    const base = { kind: "GITLAB" as const, apiEndpoint: null, namespace: "acme/web", insecure: false, credentials: { username: "alice", password: "glpat-full" } };
    expect(gitlab.defaultApiEndpoint!({ ...base, endpoint: "https://registry.gitlab.com" })).toBe("https://gitlab.com");
    expect(gitlab.defaultApiEndpoint!({ ...base, endpoint: "https://gitlab.example.com:5050" })).toBeUndefined();
    const p = new GitLabProvider({ ...base, endpoint: v2.url });
    const r = await p.testConnection();
    expect(r).toMatchObject({ authenticated: true, catalog: false, missing: ["GitLab URL"] });
    expect(r.message).toContain("No GitLab URL is set");
    expect(p.deleteMethod.scope).toBe("digest");
    expect(await p.tagMetadata("acme/web")).toEqual([]);
  });

  it("rate limits: the budget from RateLimit-* headers, a 429 with Retry-After", async () => {
    const { provider, api } = await setup({ "acme/web": { "1.0": D(1) } });
    await provider.listRepositories({ pageSize: 5 });
    const budget = await provider.rateLimit();
    expect(budget).toMatchObject({ limit: 2000 });
    expect(budget!.remaining).toBeLessThan(2000);
    api.setRemaining(1);
    const err = await provider.tagMetadata("acme/web").catch((e) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.status).toBe(429);
    expect(err.retryAfter).toBe(60);
  });

  it("parses GitLab's error shapes", () => {
    expect(parseGitLabError('{"message":"404 Project Not Found"}')).toEqual({ message: "404 Project Not Found" });
    expect(parseGitLabError('{"message":{"name":["is invalid"]}}').message).toContain("is invalid");
    expect(parseGitLabError('{"error":"insufficient_scope","error_description":"higher privileges","scope":"api read_api"}').message).toBe("insufficient_scope: higher privileges (needs scope: api or read_api)");
  });
});

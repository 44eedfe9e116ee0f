// GHCR provider against a loopback api.github.com (the stand-in the integration and e2e tests use)
// and a loopback /v2 that only answers the ping.
import { afterEach, describe, expect, it } from "vitest";
import { RegistryError } from "@/lib/registry";
import { startGitHubApi, type GitHubApi } from "@/test/harness/vendors/github";
import { memoryState } from "@/test/harness/vendors/package-state";
import { fixtureDigest, pingOnlyV2ForFile } from "@/test/harness/ping-v2";
import { GhcrProvider, missingScopes } from "./ghcr";

const D = fixtureDigest;
const v2 = pingOnlyV2ForFile();
let api: GitHubApi | undefined;
afterEach(async () => { await api?.stop(); api = undefined; });

const ALL = ["read:packages", "write:packages", "delete:packages"];

async function setup(repos: Record<string, Record<string, string>>, o: { ownerType?: "User" | "Organization"; scopes?: string[] | null; owner?: string; login?: string; publicPackages?: string[] } = {}) {
  const state = memoryState(repos);
  api = await startGitHubApi({
    state, owner: "acme", ownerType: o.ownerType ?? "Organization", publicPackages: o.publicPackages,
    tokens: { "ghp_good": { login: o.login ?? "alice", scopes: o.scopes === undefined ? ALL : o.scopes, expiresAt: "2027-03-01 00:00:00 UTC" } },
  });
  const provider = new GhcrProvider({ kind: "GHCR", endpoint: v2.url, apiEndpoint: api.url, namespace: o.owner ?? "acme", insecure: false, credentials: { username: "alice", password: "ghp_good" } });
  return { state, provider, api };
}

describe("GHCR provider", () => {
  it("lists an organisation's container packages page by page through the Link header", async () => {
    const repos = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`acme/app-${String(i).padStart(2, "0")}`, { latest: D(i) }]));
    const { provider, api } = await setup({ ...repos, "other/x": { latest: D(99) } });
    const names: string[] = [];
    let cursor: string | undefined;
    const sizes: number[] = [];
    do {
      const page = await provider.listRepositories({ cursor, pageSize: 30 });
      sizes.push(page.repositories.length);
      names.push(...page.repositories.map((r) => r.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([30, 30, 5]);
    expect(names).toEqual(Object.keys(repos).sort());
    const listed = api.log.filter((l) => l.path.startsWith("/orgs/acme/packages"));
    expect(listed[0].path).toContain("package_type=container");
    expect(listed[0].path).toContain("per_page=30");
    expect(listed[0].headers["x-github-api-version"]).toBe("2022-11-28");
    expect(listed[0].headers.authorization).toBe("Bearer ghp_good");
  });

  it("filters by name across pages and uses /users/ for a user", async () => {
    const repos = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`acme/svc-${i}`, { v1: D(i) }]));
    const { provider, api } = await setup(repos, { ownerType: "User" });
    const page = await provider.listRepositories({ pageSize: 100, query: "SVC-11" });
    expect(page.repositories.map((r) => r.name).sort()).toEqual(["acme/svc-11", ...Array.from({ length: 10 }, (_, i) => `acme/svc-11${i}`)].sort());
    expect(api.log.some((l) => l.path.startsWith("/users/acme/packages?"))).toBe(true);
    expect(api.log.some((l) => l.path.startsWith("/orgs/"))).toBe(false);
  });

  it("a personal account with its own token: /user/packages, versions paged with per_page and state, private packages too", async () => {
    const tags = Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`v${i}`, D(i)]));
    const { provider, api } = await setup({ "acme/private-app": tags }, { ownerType: "User", login: "acme" });
    expect((await provider.listRepositories({ pageSize: 10 })).repositories.map((r) => r.name)).toEqual(["acme/private-app"]);
    const meta = await provider.tagMetadata("acme/private-app");
    expect(meta).toHaveLength(130);
    const versions = api.log.filter((l) => l.path.includes("/versions"));
    expect(versions.map((l) => l.path.split("?")[0])).toEqual(["/user/packages/container/private-app/versions", "/user/packages/container/private-app/versions"]);
    expect(versions[0].path).toContain("per_page=100");
    expect(versions[0].path).toContain("state=active");
    expect(api.log.some((l) => l.path.startsWith("/user/packages?"))).toBe(true);
    expect(api.log.some((l) => l.path.startsWith("/users/acme/packages"))).toBe(false);
  });

  it("another user's packages: only public ones, asked without page/per_page/state, and test connection says so", async () => {
    const { provider, api } = await setup({ "acme/public-app": { "1.0": D(1) }, "acme/secret-app": { "1.0": D(2) } }, { ownerType: "User", publicPackages: ["public-app"] });
    expect((await provider.tagMetadata("acme/public-app")).map((m) => m.tag)).toEqual(["1.0"]);
    expect(api.log.filter((l) => l.path.includes("/versions")).map((l) => l.path)).toEqual(["/users/acme/packages/container/public-app/versions"]);
    const err = await provider.tagMetadata("acme/secret-app").catch((e) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.message).toMatch(/lists only public packages of another user/);
    const t = await provider.testConnection();
    expect(t.message).toMatch(/acme is another GitHub user than the token's: GitHub lists the versions .* of only acme's public packages/);
  });

  it("reads tags with digests and times from the versions of a nested package (name URL-encoded)", async () => {
    const { provider, api } = await setup({ "acme/team/api": { "1.0": D(1), stable: D(1), "2.0": D(2) } });
    const meta = await provider.tagMetadata("acme/team/api");
    expect(meta.map((m) => m.tag).sort()).toEqual(["1.0", "2.0", "stable"]);
    expect(meta.find((m) => m.tag === "stable")).toMatchObject({ digest: D(1) });
    for (const m of meta) expect(Date.parse(m.pushedAt!)).toBeGreaterThan(Date.parse("2025-12-31T00:00:00Z"));
    expect(meta.every((m) => m.pushedBy === undefined)).toBe(true);
    expect(api.log.some((l) => l.path.startsWith("/orgs/acme/packages/container/team%2Fapi/versions"))).toBe(true);
  });

  it("deletes the version of the digest: every tag on it goes", async () => {
    const { provider, state } = await setup({ "acme/api": { "1.0": D(1), stable: D(1), "2.0": D(2) } });
    expect(provider.deleteMethod.scope).toBe("digest");
    await provider.deleteTag("acme/api", "1.0", D(1));
    expect(state.repos["acme/api"]).toEqual({ "2.0": D(2) });
    await expect(provider.deleteTag("acme/api", "2.0", D(7))).rejects.toThrow(/no version sha256:0+7.*nothing was deleted/);
    expect(state.repos["acme/api"]).toEqual({ "2.0": D(2) });
  });

  it("without delete:packages the delete fails with GitHub's message and nothing changes", async () => {
    const { provider, state } = await setup({ "acme/api": { "1.0": D(1) } }, { scopes: ["write:packages"] });
    const err = await provider.deleteTag("acme/api", "1.0", D(1)).catch((e) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.status).toBe(403);
    expect(err.message).toContain("delete:packages");
    expect(state.repos["acme/api"]).toEqual({ "1.0": D(1) });
  });

  it("test connection names the missing scopes", async () => {
    const { provider } = await setup({ "acme/api": { "1.0": D(1) } }, { scopes: ["read:packages"] });
    const r = await provider.testConnection();
    expect(r).toMatchObject({ reachable: true, authenticated: true, catalog: true, delete: false });
    expect(r.missing).toEqual(["write:packages scope", "delete:packages scope"]);
    expect(r.message).toContain("lacks write:packages, delete:packages");
    expect(r.message).toContain("expires on 2027-03-01");
    expect(JSON.stringify(r)).not.toContain("ghp_good");
  });

  it("test connection tells a fine-grained token apart (no X-OAuth-Scopes) and a full token passes", async () => {
    let { provider } = await setup({}, { scopes: null });
    let r = await provider.testConnection();
    expect(r.message).toMatch(/not a classic personal access token/);
    expect(r.missing).toEqual(["a classic personal access token"]);
    await api!.stop();
    ({ provider } = await setup({ "acme/api": { "1.0": D(1) } }));
    r = await provider.testConnection();
    expect(r).toMatchObject({ catalog: true, delete: true, missing: [] });
  });

  it("a bad token: GitHub's own message; an unknown owner: Not Found", async () => {
    const { provider, api } = await setup({});
    const bad = new GhcrProvider({ kind: "GHCR", endpoint: v2.url, apiEndpoint: api.url, namespace: "acme", insecure: false, credentials: { username: "alice", password: "ghp_wrong" } });
    await expect(bad.listRepositories({ pageSize: 10 })).rejects.toThrow(/Bad credentials/);
    const r = await bad.testConnection();
    expect(r.message).toMatch(/GitHub API .* refused the token.*Bad credentials/);
    expect(r.catalog).toBe(false);
    const stranger = new GhcrProvider({ kind: "GHCR", endpoint: v2.url, apiEndpoint: api.url, namespace: "nobody", insecure: false, credentials: { username: "alice", password: "ghp_good" } });
    await expect(stranger.listRepositories({ pageSize: 10 })).rejects.toThrow(/Not Found/);
    void provider;
  });

  it("reports the rate-limit budget and turns an exhausted one into TOOMANYREQUESTS", async () => {
    const { provider, api } = await setup({ "acme/api": { "1.0": D(1) } });
    await provider.listRepositories({ pageSize: 10 });
    const budget = await provider.rateLimit();
    expect(budget).toMatchObject({ limit: 5000, windowSeconds: 3600 });
    expect(budget!.remaining).toBeLessThan(5000);
    api.setRemaining(1);
    const err = await provider.tagMetadata("acme/api").catch((e) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.codes).toEqual(["TOOMANYREQUESTS"]);
    expect(err.message).toContain("API rate limit exceeded");
    expect(await provider.credentialExpiry()).toBe("2027-03-01T00:00:00.000Z");
  });

  it("missingScopes: write:packages implies read:packages", () => {
    expect(missingScopes("repo, write:packages")).toEqual(["delete:packages"]);
    expect(missingScopes("")).toEqual(["read:packages", "write:packages", "delete:packages"]);
  });
});

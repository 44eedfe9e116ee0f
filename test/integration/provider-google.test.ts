// The Google provider against the loopback Google (OAuth JWT exchange, Artifact Registry REST) and
// a real registry:2 in token mode that accepts only the current access token; checked with skopeo.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openGoogle } from "@/lib/providers/google";
import type { Connection } from "@/lib/providers/types";
import { copyImage, RegistryClient, retag } from "@/lib/registry";
import { pushImage, skopeoInspect, skopeoListTags, startRegistry, type RunningRegistry } from "../harness";
import { startGoogle, type GoogleStandIn, type ServiceAccount } from "../harness/vendors/google";

let g: GoogleStandIn;
let plain: RunningRegistry;
let sa: ServiceAccount;
let v1: string;
let v2: string;

const connection = (over: Partial<Connection> = {}, creds: Record<string, string> = {}): Connection => ({
  kind: "GOOGLE", endpoint: g.url, apiEndpoint: g.apiUrl, namespace: `${g.project}/docker`, insecure: false,
  credentials: { serviceAccountJson: sa.keyJson, location: g.location, ...creds }, ...over,
});
const exchanges = () => g.exchanges.filter((e) => e.status === 200).length;

beforeAll(async () => {
  [g, plain] = await Promise.all([startGoogle(), startRegistry({ mode: "open", name: "google-peer" })]);
  sa = g.createServiceAccount("regatta");
  g.createRepository("docker");
  const reg = g.asRegistry();
  v1 = await pushImage(reg, `${g.project}/docker/api:1.0`, { layers: [{ files: { "a.txt": "one" } }] });
  v2 = await pushImage(reg, `${g.project}/docker/api:2.0`, { layers: [{ files: { "a.txt": "two" } }] });
  await pushImage(reg, `${g.project}/docker/tools/lint:1`, { layers: [{ files: { "l.txt": "lint" } }] });
  await pushImage(reg, `${g.project}/other/x:1`, { layers: [{ files: { "x.txt": "x" } }] });
});

afterAll(async () => {
  await Promise.all([g?.stop(), plain?.stop()]);
});

describe("Google provider", () => {
  it("browses: images of project/repository from the REST API, tags through /v2 with oauth2accesstoken", async () => {
    const p = openGoogle(connection(), { now: g.now });
    const page = await p.listRepositories!({ pageSize: 1 });
    expect(page.repositories).toEqual([{ name: `${g.project}/docker/api`, tagCount: 2 }]);
    const rest = await p.listRepositories!({ pageSize: 10, cursor: page.nextCursor });
    expect(rest.repositories.map((r) => r.name)).toEqual([`${g.project}/docker/tools/lint`]);
    expect((await p.client.listTags(`${g.project}/docker/api`)).sort()).toEqual(["1.0", "2.0"]);
    expect((await p.client.headManifest(`${g.project}/docker/api`, "1.0"))?.digest).toBe(v1);
    expect(g.exchanges.at(-1)).toMatchObject({ email: sa.email, status: 200 });
  });

  it("reads upload time and size from dockerImages across pages; no pusher", async () => {
    const p = openGoogle(connection(), { now: g.now });
    const calls = g.apiCalls.length;
    const meta = await p.tagMetadata!(`${g.project}/docker/api`);
    expect(meta.map((m) => m.tag).sort()).toEqual(["1.0", "2.0"]);
    const one = meta.find((m) => m.tag === "1.0")!;
    expect(one).toMatchObject({ digest: v1 });
    expect(Date.now() - Date.parse(one.pushedAt!)).toBeLessThan(10 * 60_000);
    expect(one.size).toBeGreaterThan(0);
    expect(one.pushedBy).toBeUndefined();
    expect(g.apiCalls.length).toBe(calls + 1);
  });

  it("offers _json_key as the registry login too", async () => {
    const p = openGoogle(connection({}, { loginUser: "_json_key" }), { now: g.now });
    expect((await p.client.headManifest(`${g.project}/docker/api`, "2.0"))?.digest).toBe(v2);
    expect(await p.credentialExpiry!()).toBeNull();
  });

  it("retags and promotes to and from a plain registry:2 with the same digests", async () => {
    const p = openGoogle(connection(), { now: g.now });
    expect((await retag(p.client, `${g.project}/docker/api`, "1.0", "stable")).digest).toBe(v1);
    expect((await skopeoInspect(g.asRegistry(), `${g.project}/docker/api:stable`)).Digest).toBe(v1);
    const peer = new RegistryClient({ endpoint: plain.url });
    await copyImage({ client: p.client, repository: `${g.project}/docker/api`, reference: "2.0" }, { client: peer, repository: "mirror/api", tag: "2.0" });
    expect((await skopeoInspect(plain, "mirror/api:2.0")).Digest).toBe(v2);
    const pushed = await pushImage(plain, "src/web:9", { layers: [{ files: { "w.txt": "web" } }] });
    await copyImage({ client: peer, repository: "src/web", reference: "9" }, { client: p.client, repository: `${g.project}/docker/web`, tag: "9" });
    expect((await skopeoInspect(g.asRegistry(), `${g.project}/docker/web:9`)).Digest).toBe(pushed);
  });

  it("deletes one tag through packages.tags.delete; the image and its other tags stay", async () => {
    const p = openGoogle(connection(), { now: g.now });
    await retag(p.client, `${g.project}/docker/api`, "2.0", "doomed");
    await p.deleteTag!(`${g.project}/docker/api`, "doomed", v2);
    expect(g.apiCalls.at(-1)).toMatchObject({ method: "DELETE", path: `/v1/projects/${g.project}/locations/us/repositories/docker/packages/api/tags/doomed`, status: 200 });
    const tags = await skopeoListTags(g.asRegistry(), `${g.project}/docker/api`);
    expect(tags).not.toContain("doomed");
    expect((await skopeoInspect(g.asRegistry(), `${g.project}/docker/api:2.0`)).Digest).toBe(v2);
  });

  it("an access token past its hour is exchanged again without an error the user sees", async () => {
    const p = openGoogle(connection(), { now: g.now });
    expect(await p.client.listTags(`${g.project}/docker/api`)).toContain("1.0");
    const before = exchanges();
    const old = (await p.auth.current()).value;
    const expiry = Date.parse((await p.credentialExpiry!())!);
    g.advance(3600_000);
    // the old token no longer works at the REST API nor at the registry's token server
    const refused = await fetch(`${g.apiUrl}/v1/projects/${g.project}/locations/us/repositories/docker/dockerImages`, { headers: { authorization: `Bearer ${old}` } });
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.status).toBe("UNAUTHENTICATED");
    const realm = await fetch(`${g.registry.tokenServer!.url}?service=${g.registry.tokenServer!.service}&scope=repository:${g.project}/docker/api:pull`, { headers: { authorization: `Basic ${Buffer.from(`oauth2accesstoken:${old}`).toString("base64")}` } });
    expect(realm.status).toBe(401);
    // browsing goes on: a new exchange, then /v2 (a new registry token) and REST work
    expect((await p.client.headManifest(`${g.project}/docker/api`, "2.0"))?.digest).toBe(v2);
    expect(exchanges()).toBe(before + 1);
    expect((await p.tagMetadata!(`${g.project}/docker/api`)).length).toBeGreaterThan(0);
    expect(exchanges()).toBe(before + 1);
    expect(Date.parse((await p.credentialExpiry!())!)).toBeGreaterThan(expiry);
  });

  it("test connection says what is wrong: not a key, a revoked key, a missing role, a wrong repository", async () => {
    const ok = await openGoogle(connection(), { now: g.now }).testConnection();
    expect(ok).toMatchObject({ reachable: true, authenticated: true, catalog: true, delete: true, missing: [] });
    const notJson = await openGoogle(connection({}, { serviceAccountJson: "hello" })).testConnection();
    expect(notJson.message).toMatch(/not JSON/);
    // a key of the same account whose private half Google does not know
    const other = g.createServiceAccount("elsewhere");
    const forged = JSON.stringify({ ...JSON.parse(other.keyJson), client_email: sa.email });
    const revoked = await openGoogle(connection({}, { serviceAccountJson: forged })).testConnection();
    expect(revoked.authenticated).toBe(false);
    expect(revoked.message).toMatch(/refused the key.*Invalid JWT Signature/);
    const viewer = g.createServiceAccount("viewer", "reader");
    const reader = await openGoogle(connection({}, { serviceAccountJson: viewer.keyJson })).testConnection();
    expect(reader).toMatchObject({ authenticated: true, catalog: true, delete: false, missing: ["roles/artifactregistry.repoAdmin"] });
    const nobody = await openGoogle(connection({}, { serviceAccountJson: g.createServiceAccount("nobody", "none").keyJson })).testConnection();
    expect(nobody.missing).toContain("roles/artifactregistry.reader");
    expect(nobody.message).toContain("Permission 'artifactregistry.dockerimages.list' denied");
    const wrongRepo = await openGoogle(connection({ namespace: `${g.project}/nope` })).testConnection();
    expect(wrongRepo.message).toMatch(/nope was not found in location us/);
  });
});

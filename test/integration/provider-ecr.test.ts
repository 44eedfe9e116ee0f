// The ECR provider against the loopback ECR (SigV4 JSON 1.1 API + a /v2 front that takes only
// Basic AWS:<current token>) in front of a real registry:2; results checked with skopeo.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEcr } from "@/lib/providers/ecr";
import type { Connection } from "@/lib/providers/types";
import { copyImage, retag } from "@/lib/registry";
import { pushImage, pushIndex, retag as retagHarness, skopeoInspect, skopeoListTags, startRegistry, type RunningRegistry } from "../harness";
import { startEcr, type EcrStandIn } from "../harness/vendors/ecr";
import * as collection from "@/app/api/v1/registries/route";
import * as tagsRoute from "@/app/api/v1/registries/[id]/tags/route";
import { call, userWithToken } from "../support/api";

const KEY = "AKIAREGATTATEST0001";
const SECRET = "ecr-test-secret-0001";
let ecr: EcrStandIn;
let plain: RunningRegistry;
let v1: string;
let v2: string;

const connection = (over: Partial<Connection> = {}, creds: Record<string, string> = {}): Connection => ({
  kind: "ECR", endpoint: ecr.url, apiEndpoint: ecr.apiUrl, namespace: null, insecure: false,
  credentials: { accessKeyId: KEY, secretAccessKey: SECRET, region: "eu-west-1", ...creds }, ...over,
});
const ops = (name: string) => ecr.calls.filter((c) => c.op === name && c.status === 200).length;

beforeAll(async () => {
  [ecr, plain] = await Promise.all([
    startEcr({
      keys: {
        [KEY]: { secretAccessKey: SECRET, user: "ci" },
        AKIAREADONLY0000002: { secretAccessKey: "read-only-secret", user: "viewer", allow: ["ecr:GetAuthorizationToken", "ecr:DescribeRepositories", "ecr:BatchGetImage"] },
      },
    }),
    startRegistry({ mode: "open", name: "ecr-peer" }),
  ]);
  for (const r of ["team/api", "team/web", "other/tool", "locked"]) ecr.createRepository(r, { immutable: r === "locked" });
  const front = ecr.asRegistry();
  v1 = await pushImage(front, "team/api:1.0", { layers: [{ files: { "a.txt": "one" } }] });
  v2 = await pushImage(front, "team/api:2.0", { layers: [{ files: { "a.txt": "two" } }] });
  await pushImage(front, "locked:1.0", { layers: [{ files: { "a.txt": "one" } }] });
});

afterAll(async () => {
  await Promise.all([ecr?.stop(), plain?.stop()]);
});

describe("ECR provider", () => {
  it("browses: repositories from DescribeRepositories (prefix, pages), tags through /v2 with the AWS: token", async () => {
    const p = openEcr(connection(), { now: ecr.now });
    const first = await p.listRepositories!({ pageSize: 2 });
    expect(first.repositories.map((r) => r.name)).toEqual(["locked", "other/tool"]);
    expect(first.nextCursor).toBeTruthy();
    const second = await p.listRepositories!({ pageSize: 2, cursor: first.nextCursor });
    expect(second.repositories.map((r) => r.name)).toEqual(["team/api", "team/web"]);
    expect(second.nextCursor).toBeUndefined();
    const scoped = openEcr(connection({ namespace: "team" }), { now: ecr.now });
    expect((await scoped.listRepositories!({ pageSize: 50 })).repositories.map((r) => r.name)).toEqual(["team/api", "team/web"]);
    expect((await p.client.listTags("team/api")).sort()).toEqual(["1.0", "2.0"]);
    expect((await p.client.headManifest("team/api", "1.0"))?.digest).toBe(v1);
  });

  it("reads pushed at and size from DescribeImages and leaves the pusher absent", async () => {
    const p = openEcr(connection(), { now: ecr.now });
    const meta = await p.tagMetadata!("team/api");
    const one = meta.find((m) => m.tag === "1.0")!;
    expect(one.digest).toBe(v1);
    expect(Date.now() - Date.parse(one.pushedAt!)).toBeLessThan(10 * 60_000);
    expect(one.size).toBeGreaterThan(0);
    expect(one.pushedBy).toBeUndefined();
    expect(meta.find((m) => m.tag === "2.0")!.digest).toBe(v2);
  });

  it("retags through PutImage: a new tag, the same tag again (ImageAlreadyExists = success), and an immutable repository said plainly", async () => {
    const p = openEcr(connection(), { now: ecr.now });
    const puts = ops("PutImage");
    expect((await retag(p.client, "team/api", "1.0", "stable")).digest).toBe(v1);
    expect(ops("PutImage")).toBe(puts + 1);
    expect((await skopeoInspect(ecr.asRegistry(), "team/api:stable")).Digest).toBe(v1);
    await expect(retag(p.client, "team/api", "1.0", "stable")).resolves.toMatchObject({ digest: v1 });
    expect(ecr.calls.at(-1)).toMatchObject({ op: "PutImage", status: 400 }); // ImageAlreadyExistsException, taken as done
    // immutable: the same digest again is fine (already there), another one is refused in plain words
    const lockedDigest = (await p.client.headManifest("locked", "1.0"))!.digest;
    await expect(retag(p.client, "locked", "1.0", "1.0")).resolves.toMatchObject({ digest: lockedDigest });
    const err = await copyImage({ client: p.client, repository: "team/api", reference: "2.0" }, { client: p.client, repository: "locked", tag: "1.0" }).catch((e) => e);
    expect(String(err.message)).toContain("repository locked has immutable tags");
    expect((await skopeoInspect(ecr.asRegistry(), "locked:1.0")).Digest).toBe(lockedDigest);
  });

  it("promotes to and from a plain registry:2 with the same digests", async () => {
    const p = openEcr(connection(), { now: ecr.now });
    const peer = new (await import("@/lib/registry")).RegistryClient({ endpoint: plain.url });
    await copyImage({ client: p.client, repository: "team/api", reference: "2.0" }, { client: peer, repository: "mirror/api", tag: "2.0" });
    expect((await skopeoInspect(plain, "mirror/api:2.0")).Digest).toBe(v2);
    const pushed = await pushImage(plain, "src/web:9", { layers: [{ files: { "w.txt": "web" } }] });
    await copyImage({ client: peer, repository: "src/web", reference: "9" }, { client: p.client, repository: "team/web", tag: "9" });
    expect((await skopeoInspect(ecr.asRegistry(), "team/web:9")).Digest).toBe(pushed);
  });

  it("deletes one tag through BatchDeleteImage; the image and its other tags stay", async () => {
    const p = openEcr(connection(), { now: ecr.now });
    expect(p.deleteMethod?.scope).toBe("tag");
    await retag(p.client, "team/api", "2.0", "doomed");
    // the tag moved since the user confirmed: nothing is deleted
    await expect(p.deleteTag!("team/api", "doomed", v1)).rejects.toThrow(/ImageTagDoesNotMatchDigest/);
    expect(await skopeoListTags(ecr.asRegistry(), "team/api")).toContain("doomed");
    await p.deleteTag!("team/api", "doomed", v2);
    const tags = await skopeoListTags(ecr.asRegistry(), "team/api");
    expect(tags).not.toContain("doomed");
    expect(tags).toContain("2.0");
    expect((await skopeoInspect(ecr.asRegistry(), "team/api:2.0")).Digest).toBe(v2);
    await expect(p.deleteTag!("team/api", "doomed", v2)).rejects.toThrow(/ImageNotFound/);
  });

  it("a tag whose image a multi-platform index lists: ECR's ImageReferencedByManifestList, said plainly, the tag stays", async () => {
    ecr.createRepository("team/multi");
    const front = ecr.asRegistry();
    const index = await pushIndex(front, "team/multi:1.0");
    const child = index.manifests[0].digest;
    await retagHarness(front, "team/multi", child, "amd64-only");
    const p = openEcr(connection(), { now: ecr.now });
    const err = await p.deleteTag!("team/multi", "amd64-only", child).catch((e) => e);
    expect(err.status).toBe(409);
    expect(err.message).toContain("ImageReferencedByManifestList");
    expect(err.message).toContain("multi-platform index");
    expect(err.message).toContain("nothing was deleted");
    expect((await skopeoListTags(front, "team/multi")).sort()).toEqual(["1.0", "amd64-only"]);
    expect((await skopeoInspect(front, "team/multi:amd64-only")).Digest).toBe(child);
  });

  it("saved with only region and keys: the endpoint is GetAuthorizationToken's proxyEndpoint, and browsing works", async () => {
    const admin = (await userWithToken("ADMIN")).token;
    const body = { name: "ecr-no-endpoint", kind: "ECR", apiEndpoint: ecr.apiUrl, credentials: { accessKeyId: KEY, secretAccessKey: SECRET, region: "eu-west-1" } };
    const r = await call(collection.POST, { token: admin, method: "POST", body });
    expect(r.status, r.text).toBe(201);
    expect(r.json.endpoint).toBe(ecr.url);
    const res = await tagsRoute.GET(new Request("http://127.0.0.1:3000/api/v1/x?repository=team/api", { headers: { authorization: `Bearer ${admin}` } }), { params: Promise.resolve({ id: r.json.id }) });
    const tags = await res.json();
    expect(res.status, JSON.stringify(tags)).toBe(200);
    expect(tags.tags.map((t: { name: string }) => t.name)).toContain("1.0");
    // wrong keys: AWS's refusal, nothing saved, no secret in the answer
    const bad = await call(collection.POST, { token: admin, method: "POST", body: { ...body, name: "ecr-bad-keys", credentials: { ...body.credentials, accessKeyId: "AKIANOBODY000000000" } } });
    expect(bad.status).toBe(502);
    expect(bad.text).toContain("UnrecognizedClientException");
    expect(bad.text).not.toContain(SECRET);
    expect((await call(collection.GET, { token: admin })).json.registries.map((x: { name: string }) => x.name)).not.toContain("ecr-bad-keys");
  });

  it("refreshes a token whose 12 hours passed without an error the user sees", async () => {
    const p = openEcr(connection(), { now: ecr.now });
    expect(await p.client.listTags("team/api")).toContain("1.0");
    const before = ops("GetAuthorizationToken");
    const expiry = Date.parse((await p.credentialExpiry!())!);
    expect(expiry - ecr.now()).toBeGreaterThan(11 * 3600_000);
    const oldPassword = (await p.auth.current()).credentials.password;
    ecr.advance(12 * 3600_000 + 60_000);
    // the front now refuses the old token, as ECR does
    const old = await fetch(`${ecr.url}/v2/team/api/tags/list`, { headers: { authorization: `Basic ${Buffer.from(`AWS:${oldPassword}`).toString("base64")}` } });
    expect(old.status).toBe(401);
    expect(ops("GetAuthorizationToken")).toBe(before);
    expect((await p.client.headManifest("team/api", "1.0"))?.digest).toBe(v1);
    expect(ops("GetAuthorizationToken")).toBe(before + 1);
    expect(Date.parse((await p.credentialExpiry!())!)).toBeGreaterThan(expiry);
  });

  it("the front refuses an expired token with ECR's 401 message; the provider asks again as soon as its clock says the token is due", async () => {
    let clock = ecr.now();
    const p = openEcr(connection(), { now: () => clock });
    expect((await p.client.headManifest("team/api", "1.0"))?.digest).toBe(v1);
    const before = ops("GetAuthorizationToken");
    ecr.advance(13 * 3600_000); // the stand-in's clock passes the token's expiry; the provider's has not yet
    const old = (await p.auth.current()).credentials.password;
    const refused = await fetch(`${ecr.url}/v2/team/api/tags/list`, { headers: { authorization: `Basic ${Buffer.from(`AWS:${old}`).toString("base64")}` } });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain("Your authorization token has expired");
    clock = ecr.now();
    expect(await p.client.listTags("team/api")).toContain("2.0");
    expect(ops("GetAuthorizationToken")).toBe(before + 1);
  });

  it("test connection names bad keys, a wrong region and missing IAM actions", async () => {
    const ok = await openEcr(connection(), { now: ecr.now }).testConnection();
    expect(ok).toMatchObject({ reachable: true, authenticated: true, catalog: true, delete: true, missing: [] });
    const unknown = await openEcr(connection({}, { accessKeyId: "AKIANOBODY000000000" })).testConnection();
    expect(unknown.authenticated).toBe(false);
    expect(unknown.message).toMatch(/does not know this access key id.*UnrecognizedClientException/);
    const badSecret = await openEcr(connection({}, { secretAccessKey: "wrong" })).testConnection();
    expect(badSecret.message).toMatch(/secret access key does not belong.*InvalidSignatureException/);
    const region = await openEcr(connection({}, { region: "us-west-2" })).testConnection();
    expect(region.message).toMatch(/region us-west-2 is wrong/);
    // the right keys against another region's API: its token is for another registry host
    const west = await startEcr({ region: "us-west-2", keys: { [KEY]: { secretAccessKey: SECRET, user: "ci" } } });
    try {
      const elsewhere = await openEcr(connection({ apiEndpoint: west.apiUrl }, { region: "us-west-2" })).testConnection();
      expect(elsewhere).toMatchObject({ reachable: true, authenticated: false, missing: ["the right region"] });
      expect(elsewhere.message).toContain(`region us-west-2 issued for ${west.host}, not ${ecr.host}`);
    } finally {
      await west.stop();
    }
    const limited = await openEcr(connection({}, { accessKeyId: "AKIAREADONLY0000002", secretAccessKey: "read-only-secret" })).testConnection();
    expect(limited).toMatchObject({ authenticated: true, catalog: true, delete: false });
    expect(limited.missing).toEqual(["ecr:DescribeImages", "ecr:BatchDeleteImage"]);
    expect(limited.message).toContain("is not authorized to perform: ecr:DescribeImages");
  });

  it("with both key fields empty, the SDK's default credential chain (here: the environment) signs", async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = KEY;
    process.env.AWS_SECRET_ACCESS_KEY = SECRET;
    try {
      const calls = ecr.calls.length;
      const p = openEcr(connection({}, { accessKeyId: "", secretAccessKey: "" }), { now: ecr.now });
      const result = await p.testConnection();
      expect(result).toMatchObject({ authenticated: true, catalog: true });
      expect(result.message).toContain("the default AWS credential chain");
      expect(ecr.calls.slice(calls).every((c) => c.accessKeyId === KEY)).toBe(true);
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID; else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY; else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });
});

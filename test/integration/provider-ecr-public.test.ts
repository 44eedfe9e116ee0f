// The ECR Public provider against the loopback ECR Public (SigV4 JSON 1.1 API, signing name
// ecr-public in us-east-1, + a /v2 front with public.ecr.aws's Bearer token flow taking
// AWS:<password>) in front of a real registry:2; browse, promote into it, delete a tag; skopeo
// checks the results.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import * as testRoute from "@/app/api/v1/registries/[id]/test/route";
import * as reposRoute from "@/app/api/v1/registries/[id]/repositories/route";
import { openEcrPublic } from "@/lib/providers/ecr-public";
import type { Connection } from "@/lib/providers/types";
import { copyImage, RegistryClient } from "@/lib/registry";
import { pushImage, skopeoInspect, skopeoListTags, startRegistry, type RunningRegistry } from "../harness";
import { startEcrPublic, type EcrPublicStandIn } from "../harness/vendors/ecr-public";
import { call, userWithToken } from "../support/api";

const KEY = "AKIAREGATTAPUBLIC001";
const SECRET = "ecr-public-secret-01";
let pub: EcrPublicStandIn;
let plain: RunningRegistry;
let v1: string;

const connection = (over: Partial<Connection> = {}): Connection => ({
  kind: "ECR_PUBLIC", endpoint: pub.url, apiEndpoint: pub.apiUrl, namespace: null, insecure: false,
  credentials: { accessKeyId: KEY, secretAccessKey: SECRET }, ...over,
});

beforeAll(async () => {
  [pub, plain] = await Promise.all([startEcrPublic({ alias: "acme" }), startRegistry({ mode: "open", name: "ecr-public-peer" })]);
  for (const r of ["api", "web"]) pub.createRepository(r);
  v1 = await pushImage(pub.asRegistry(), "acme/api:1.0", { layers: [{ files: { "a.txt": "one" } }] });
});

afterAll(async () => {
  await Promise.all([pub?.stop(), plain?.stop()]);
});

describe("ECR Public provider", () => {
  it("browses: the alias from DescribeRegistries, repositories under it, tags and pushed-at", async () => {
    const p = openEcrPublic(connection());
    expect((await p.listRepositories!({ pageSize: 50 })).repositories.map((r) => r.name)).toEqual(["acme/api", "acme/web"]);
    expect(await p.client.listTags("acme/api")).toEqual(["1.0"]);
    expect((await p.client.headManifest("acme/api", "1.0"))?.digest).toBe(v1);
    const meta = await p.tagMetadata!("acme/api");
    expect(meta).toMatchObject([{ tag: "1.0", digest: v1 }]);
    expect(Date.now() - Date.parse(meta[0].pushedAt!)).toBeLessThan(10 * 60_000);
    expect(pub.calls.some((c) => c.op === "DescribeRegistries" && c.status === 200)).toBe(true);
  });

  it("promotes into it and out of it with the same digests; deletes one tag by BatchDeleteImage", async () => {
    const p = openEcrPublic(connection({ namespace: "acme" }));
    const peer = new RegistryClient({ endpoint: plain.url });
    const pushed = await pushImage(plain, "src/web:9", { layers: [{ files: { "w.txt": "web" } }] });
    await copyImage({ client: peer, repository: "src/web", reference: "9" }, { client: p.client, repository: "acme/web", tag: "9" });
    expect((await skopeoInspect(pub.asRegistry(), "acme/web:9")).Digest).toBe(pushed);
    await copyImage({ client: p.client, repository: "acme/api", reference: "1.0" }, { client: peer, repository: "mirror/api", tag: "1.0" });
    expect((await skopeoInspect(plain, "mirror/api:1.0")).Digest).toBe(v1);
    await copyImage({ client: p.client, repository: "acme/web", reference: "9" }, { client: p.client, repository: "acme/web", tag: "doomed" });
    await expect(p.deleteTag!("acme/web", "doomed", v1)).rejects.toThrow(/ImageTagDoesNotMatchDigest/);
    await p.deleteTag!("acme/web", "doomed", pushed);
    expect(await skopeoListTags(pub.asRegistry(), "acme/web")).toEqual(["9"]);
  });

  it("through the API: a registry of kind ECR_PUBLIC is saved, tested and browsed; wrong keys said plainly", async () => {
    const admin = (await userWithToken("ADMIN")).token;
    const body = { name: "ecr-public", kind: "ECR_PUBLIC", endpoint: pub.url, apiEndpoint: pub.apiUrl, credentials: { accessKeyId: KEY, secretAccessKey: SECRET } };
    const r = await call(collection.POST, { token: admin, method: "POST", body });
    expect(r.status, r.text).toBe(201);
    const t = await call(testRoute.POST, { token: admin, method: "POST", params: { id: r.json.id } });
    expect(t.json).toMatchObject({ reachable: true, authenticated: true, catalog: true });
    expect(t.json.message).toContain("Registry alias acme");
    const repos = await call(reposRoute.GET, { token: admin, params: { id: r.json.id } });
    expect(repos.json.repositories.map((x: { name: string }) => x.name)).toEqual(["acme/api", "acme/web"]);
    const bad = await call(collection.POST, { token: admin, method: "POST", body: { ...body, name: "ecr-public-bad", credentials: { accessKeyId: "AKIANOBODY", secretAccessKey: "x" } } });
    const tb = await call(testRoute.POST, { token: admin, method: "POST", params: { id: bad.json.id } });
    expect(tb.json).toMatchObject({ authenticated: false });
    expect(tb.json.message).toContain("UnrecognizedClientException");
    expect(JSON.stringify(tb.json)).not.toContain(SECRET);
  });
});

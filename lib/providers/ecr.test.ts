// ECR provider pieces against a loopback JSON 1.1 endpoint: when the token is asked again, how
// PutImage answers become results, and how AWS errors read.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ECR_REFRESH_EARLY_MS, openEcr } from "./ecr";

type Handler = (op: string, input: any) => { status?: number; body: unknown };
let server: http.Server;
let url: string;
let handler: Handler;
const seen: { op: string; input: any }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const op = String(req.headers["x-amz-target"]).split(".")[1];
      const input = JSON.parse(Buffer.concat(chunks).toString() || "{}");
      seen.push({ op, input });
      const out = handler(op, input);
      res.writeHead(out.status ?? 200, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const open = (now: () => number) =>
  openEcr({ kind: "ECR", endpoint: "http://127.0.0.1:1", apiEndpoint: url, namespace: null, insecure: false, credentials: { accessKeyId: "AKIAUNIT", secretAccessKey: "s", region: "eu-west-1" } }, { now });

describe("EcrAuth", () => {
  it("keeps the token until 30 minutes before its expiry, then asks again", async () => {
    let clock = 1_000_000_000_000;
    let n = 0;
    handler = () => ({ body: { authorizationData: [{ authorizationToken: Buffer.from(`AWS:pw${++n}`).toString("base64"), expiresAt: (clock + 12 * 3600_000) / 1000, proxyEndpoint: "https://123.dkr.ecr.eu-west-1.amazonaws.com" }] } });
    const p = open(() => clock);
    expect((await p.auth.current()).credentials).toEqual({ username: "AWS", password: "pw1" });
    clock += 12 * 3600_000 - ECR_REFRESH_EARLY_MS - 1000;
    expect((await p.auth.current()).credentials.password).toBe("pw1");
    clock += 2000;
    expect((await p.auth.current()).credentials.password).toBe("pw2");
    expect(p.auth.fetches).toBe(2);
  });

  it("asks once for many callers at the same time", async () => {
    let n = 0;
    handler = () => ({ body: { authorizationData: [{ authorizationToken: Buffer.from(`AWS:c${++n}`).toString("base64"), expiresAt: Date.now() / 1000 + 43200 }] } });
    const p = open(Date.now);
    const all = await Promise.all([p.auth.current(), p.auth.current(), p.auth.current()]);
    expect(new Set(all.map((t) => t.credentials.password))).toEqual(new Set(["c1"]));
  });

  it("reports AWS's error type and message", async () => {
    handler = () => ({ status: 400, body: { __type: "AccessDeniedException", message: "User: arn:aws:iam::1:user/x is not authorized to perform: ecr:GetAuthorizationToken" } });
    await expect(open(Date.now).auth.current()).rejects.toThrow(/AccessDeniedException \(400\): User: .* ecr:GetAuthorizationToken/);
  });
});

describe("tag writes through PutImage", () => {
  const manifest = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "x", digest: "sha256:" + "0".repeat(64), size: 1 }, layers: [] }));

  it("sends the exact bytes, the media type and the digest, and takes ImageAlreadyExists as done", async () => {
    handler = () => ({ status: 400, body: { __type: "ImageAlreadyExistsException", message: "Image with digest ... already exists" } });
    const p = open(Date.now);
    const digest = await p.client.putManifest("team/api", "stable", manifest, "application/vnd.oci.image.manifest.v1+json");
    const put = seen.at(-1)!;
    expect(put.op).toBe("PutImage");
    expect(put.input).toMatchObject({ repositoryName: "team/api", imageTag: "stable", imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json", imageDigest: digest });
    expect(put.input.imageManifest).toBe(new TextDecoder().decode(manifest));
  });

  it("names an immutable repository when the tag points elsewhere", async () => {
    handler = () => ({ status: 400, body: { __type: "ImageTagAlreadyExistsException", message: "The image tag 'stable' already exists in the 'team/api' repository and cannot be overwritten because the repository is immutable." } });
    const p = open(Date.now);
    // the HEAD that checks whether the tag already holds these bytes cannot reach /v2 here
    const err = await p.client.putManifest("team/api", "stable", manifest, "application/vnd.oci.image.manifest.v1+json").catch((e) => e);
    expect(err.message).toContain("repository team/api has immutable tags: stable already exists and cannot be moved");
    expect(err.codes).toEqual(["TAG_INVALID"]);
  });
});

// Image diff against a real registry:2: two images that differ in env, labels, user, ports and one
// layer (the base layer is shared: umoci writes the same tar to the same gzip), and an index
// against an index with one platform more. Digests and layers are checked against skopeo.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import * as diffRoute from "@/app/api/v1/diff/route";
import type { DiffAnswer } from "@/lib/schemas/diff";
import crypto from "node:crypto";
import { pushImage, pushIndex, registryFetch, skopeoInspect, startRegistry, type RunningRegistry } from "../harness";
import { call, userWithToken } from "../support/api";

let reg: RunningRegistry;
let id: string;
let viewer: string;

async function diff(from: string, to: string) {
  const req = new Request(`http://127.0.0.1:3000/api/v1/diff?${new URLSearchParams({ from, to })}`, { headers: { authorization: `Bearer ${viewer}` } });
  const res = await diffRoute.GET(req, { params: Promise.resolve({}) });
  return { status: res.status, json: await res.json() };
}

const base = { files: { "base.txt": "the same base layer\n" }, createdBy: "COPY base.txt /" };

beforeAll(async () => {
  reg = await startRegistry({ mode: "htpasswd", name: "diff" });
  await pushImage(reg, "acme/api:1.0", {
    env: ["PATH=/usr/bin", "MODE=staging"], labels: { team: "acme", version: "1.0" }, entrypoint: ["/api"], cmd: ["serve"],
    layers: [base, { files: { "app.txt": "version one\n" }, createdBy: "COPY app-1 /" }],
  });
  await pushImage(reg, "acme/api:2.0", {
    env: ["PATH=/usr/bin", "MODE=prod", "FEATURE=on"], labels: { team: "acme", version: "2.0" }, entrypoint: ["/api"], cmd: ["serve", "--fast"], workingDir: "/srv",
    layers: [base, { files: { "app.txt": "version two\n" }, createdBy: "COPY app-2 /" }, { files: { "extra.txt": "more\n" }, createdBy: "COPY extra /" }],
  });
  await pushIndex(reg, "acme/multi:1", ["linux/amd64"]);
  await pushIndex(reg, "acme/multi:2", ["linux/amd64", "linux/arm64"]);
  const admin = (await userWithToken("ADMIN")).token;
  viewer = (await userWithToken("VIEWER")).token;
  const r = await call(collection.POST, { token: admin, method: "POST", body: { name: "diff", kind: "GENERIC", endpoint: reg.url, credentials: { username: reg.username, password: reg.password } } });
  expect(r.status).toBe(201);
  id = r.json.id;
}, 120_000);

afterAll(async () => {
  await reg?.stop();
});

describe("GET /api/v1/diff", () => {
  it("shows what changes from one image to another: env, labels, cmd, working dir, layers and history", async () => {
    const r = await diff(`${id}:acme/api:1.0`, `${id}:acme/api:2.0`);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const d = r.json as DiffAnswer;
    expect(d.from.digest).toBe((await skopeoInspect(reg, "acme/api:1.0")).Digest);
    expect(d.to.digest).toBe((await skopeoInspect(reg, "acme/api:2.0")).Digest);
    expect(d.from.kind).toBe("image");
    const changed = Object.fromEntries(d.config.changed.map((c) => [c.key, [c.from, c.to]]));
    expect(changed).toEqual({
      "env.FEATURE": [null, "on"],
      "env.MODE": ["staging", "prod"],
      "labels.version": ["1.0", "2.0"],
      cmd: ['["serve"]', '["serve","--fast"]'],
      workingDir: [null, "/srv"],
    });
    // layers as skopeo reads them: the first is shared, the second replaced, the third new
    const a = (await skopeoInspect(reg, "acme/api:1.0")).Layers as string[];
    const b = (await skopeoInspect(reg, "acme/api:2.0")).Layers as string[];
    expect(a[0]).toBe(b[0]);
    expect(d.layers.shared.map((l) => l.digest)).toEqual([a[0]]);
    expect(d.layers.removed.map((l) => l.digest)).toEqual([a[1]]);
    expect(d.layers.added.map((l) => l.digest)).toEqual([b[1], b[2]]);
    expect(d.layers.added.map((l) => l.createdBy)).toEqual(["COPY app-2 /", "COPY extra /"]);
    expect(d.layers.added.every((l) => l.size > 0)).toBe(true);
    expect(d.history.added.map((h) => h.line)).toEqual(["COPY app-2 /", "COPY extra /"]);
    expect(d.platforms).toEqual({ added: [], removed: [] });
    expect(d.size.to).toBeGreaterThan(d.size.from);

    // the same reference by digest on both sides: nothing changed
    const same = await diff(`${id}:acme/api:${d.to.digest}`, `${id}:acme/api@${d.to.digest}`);
    expect(same.status).toBe(200);
    expect(same.json.config.changed).toEqual([]);
    expect(same.json.layers.added).toEqual([]);
    expect(same.json.layers.shared).toHaveLength(3);
  });

  it("compares an index with an index platform by platform and names the platform added", async () => {
    const r = await diff(`${id}:acme/multi:1`, `${id}:acme/multi:2`);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const d = r.json as DiffAnswer;
    expect(d.from.kind).toBe("index");
    expect(d.from.platforms).toEqual(["linux/amd64"]);
    expect(d.to.platforms).toEqual(["linux/amd64", "linux/arm64"]);
    expect(d.platforms).toEqual({ added: ["linux/arm64"], removed: [] });
    // linux/amd64 on both sides: the same layer content, compared under its platform
    expect(d.layers.shared.map((l) => l.platform)).toEqual(["linux/amd64"]);
    expect(d.layers.added).toEqual([]);
    expect(d.size.to).toBeGreaterThan(d.size.from);

    const back = (await diff(`${id}:acme/multi:2`, `${id}:acme/multi:1`)).json as DiffAnswer;
    expect(back.platforms).toEqual({ added: [], removed: ["linux/arm64"] });
  });

  it("reads a config of odd shapes (labels a string, env numbers, null history) without failing", async () => {
    const sha = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;
    const scopes = ["repository:acme/odd:pull,push"];
    const putBlob = async (bytes: Buffer) => {
      const start = await registryFetch(reg, "/v2/acme/odd/blobs/uploads/", { method: "POST", scopes });
      await start.arrayBuffer();
      const loc = new URL(start.headers.get("location")!, reg.url);
      loc.searchParams.set("digest", sha(bytes));
      const put = await registryFetch(reg, `${loc.pathname}${loc.search}`, { method: "PUT", body: new Uint8Array(bytes), headers: { "content-type": "application/octet-stream" }, scopes });
      await put.arrayBuffer();
      expect(put.status).toBe(201);
      return { digest: sha(bytes), size: bytes.length };
    };
    const config = await putBlob(Buffer.from(JSON.stringify({ os: "linux", architecture: "amd64", config: { Labels: "not-an-object", Env: [1, "MODE=odd"], ExposedPorts: ["80"], Cmd: "serve" }, history: [null, { created_by: 7 }, "x"] })));
    const layer = await putBlob(crypto.randomBytes(64));
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config }, layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", ...layer }] }));
    const put = await registryFetch(reg, "/v2/acme/odd/manifests/1", { method: "PUT", body: new Uint8Array(manifest), headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" }, scopes });
    await put.arrayBuffer();
    expect(put.status).toBe(201);

    const r = await diff(`${id}:acme/api:1.0`, `${id}:acme/odd:1`);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const changed = Object.fromEntries((r.json as DiffAnswer).config.changed.map((c) => [c.key, [c.from, c.to]]));
    expect(changed["env.MODE"]).toEqual(["staging", "odd"]);
    expect(changed["env.1"]).toEqual([null, ""]);
    expect(changed["labels.team"]).toEqual(["acme", null]);
    expect(changed.cmd).toEqual(['["serve"]', null]);
    expect(r.json.layers.added).toEqual([{ digest: layer.digest, size: 64, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" }]);
  });

  it("answers bad references with a clear 4xx", async () => {
    const cases: [string, string, number, RegExp][] = [
      ["", `${id}:acme/api:1.0`, 422, /from is required/],
      ["acme/api:1.0", `${id}:acme/api:1.0`, 422, /from must be <registryId>:<repository>:<tag or digest>/],
      ["not-a-registry:acme/api:1.0", `${id}:acme/api:1.0`, 422, /not a registry id/],
      [`${id}:acme/api:1.0`, `${id}:Acme/API:1.0`, 422, /repository/i],
      [`${id}:acme/api:1.0`, `${id}:acme/api:sha256:1234`, 422, /digest/i],
      [`${id}:acme/api:1.0`, `${id}:acme/api:9.9`, 404, /./],
      [`${id}:acme/api:1.0`, `00000000-0000-4000-8000-000000000000:acme/api:1.0`, 404, /registry/],
    ];
    for (const [from, to, status, message] of cases) {
      const r = await diff(from, to);
      expect(r.status, `${from} → ${to}: ${JSON.stringify(r.json)}`).toBe(status);
      expect(r.json.error.message).toMatch(message);
    }
  });
});

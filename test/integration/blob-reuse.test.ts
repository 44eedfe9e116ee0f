// Blob reuse across repositories of the target registry (issue 15, item 3): a promotion mounts a
// blob from any repository of the target that Regatta's index says holds it (OCI distribution spec,
// "Mounting a blob from another repository": POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<other>),
// and uploads when the registry refuses (202, a plain upload session). The target is a real
// registry:2 with token auth, so a mount needs pull on the source repository too.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as promotions from "@/app/api/v1/promotions/route";
import * as promotion from "@/app/api/v1/promotions/[id]/route";
import * as collection from "@/app/api/v1/registries/route";
import * as details from "@/app/api/v1/registries/[id]/tags/details/route";
import { db } from "@/lib/db";
import { stopBoss } from "@/lib/jobs/boss";
import { startWorkers } from "@/lib/services/workers";
import { buildImage, pushImage, skopeoInspect, startRegistry, type RunningRegistry } from "../harness";
import { call, userWithToken } from "../support/api";

let a: RunningRegistry;
let b: RunningRegistry;
let admin: string;
const ids: Record<string, string> = {};
let image: string;
let other: string;

async function promote(body: unknown) {
  const r = await call(promotions.POST, { token: admin, method: "POST", body });
  expect(r.status).toBe(202);
  for (let i = 0; i < 600; i++) {
    const s = await call(promotion.GET, { token: admin, params: { id: r.json.id } });
    if (s.json.state === "succeeded" || s.json.state === "failed") return s.json;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error("promotion did not finish");
}

/** Bytes and requests that carried blob content into registry B since log position `from`. */
async function uploadsSince(from: number) {
  const log = await b.settledAccessLog(from);
  return {
    bodies: log.filter((e) => /\/blobs\/uploads\//.test(e.path) && (e.method === "PATCH" || (e.method === "PUT" && !e.path.includes("mount=")))),
    mounts: log.filter((e) => e.method === "POST" && e.path.includes("mount=")).map((e) => ({ status: e.status, from: new URL(e.path, "http://x").searchParams.get("from") })),
  };
}

const layers = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ files: { [`/l${i}.txt`]: `${tag} layer ${i}` }, randomBytes: 64 * 1024 }));

beforeAll(async () => {
  [a, b] = await Promise.all([startRegistry({ mode: "open", name: "reuse-a" }), startRegistry({ mode: "token", name: "reuse-b", anonymousPull: false })]);
  [image, other] = await Promise.all([
    pushImage(a, "team/app:1.0", { layers: layers(4, "app"), format: "oci" }),
    pushImage(a, "team/other:1.0", { layers: layers(3, "other"), format: "oci" }),
  ]);
  admin = (await userWithToken("ADMIN")).token;
  for (const [name, r] of Object.entries({ a, b })) {
    const res = await call(collection.POST, { token: admin, method: "POST", body: { name: `reuse-${name}-${Date.now()}`, kind: "GENERIC", endpoint: r.url, credentials: r.username ? { username: r.username, password: r.password } : undefined } });
    ids[name] = res.json.id;
  }
  await startWorkers();
});

afterAll(async () => {
  await stopBoss();
  await Promise.all([a?.stop(), b?.stop()]);
});

describe("blob reuse across repositories of the target registry", () => {
  it("the second promotion of an image to another repository of B mounts every blob: 0 bytes move", async () => {
    const first = await promote({ source: { registryId: ids.a, repository: "team/app", reference: "1.0" }, target: { registryId: ids.b, repository: "prod/x", tag: "1.0" } });
    expect(first).toMatchObject({ state: "succeeded", digest: image });
    expect(first.bytesDone).toBeGreaterThan(4 * 64 * 1024);

    const mark = b.accessLog().length;
    const second = await promote({ source: { registryId: ids.a, repository: "team/app", reference: "1.0" }, target: { registryId: ids.b, repository: "prod/y", tag: "1.0" } });
    expect(second).toMatchObject({ state: "succeeded", digest: image, bytesDone: 0, error: null });
    const { bodies, mounts } = await uploadsSince(mark);
    expect(bodies).toEqual([]);
    // the target tag is HEADed once: this instance had room, so the request took the tag's lock,
    // checked the target under it and started the run with that answer (neither the run nor the copy asks again)
    expect((await b.settledAccessLog(mark)).filter((e) => e.method === "HEAD" && e.path === "/v2/prod/y/manifests/1.0")).toHaveLength(1);
    // config + 4 layers, each linked by registry B from prod/x
    expect(mounts).toHaveLength(5);
    expect(mounts.every((m) => m.status === 201 && m.from === "prod/x")).toBe(true);
    expect((await skopeoInspect(b, "prod/y:1.0")).Digest).toBe(image);

    // the plan (dry run) of a third says so before anything moves
    const plan = await call(promotions.POST, { token: admin, method: "POST", body: { source: { registryId: ids.a, repository: "team/app", reference: "1.0" }, target: { registryId: ids.b, repository: "prod/w", tag: "1.0" }, dryRun: true } });
    expect(plan.status).toBe(200);
    expect(plan.json.plan.bytesToCopy).toBe(0);
    expect(plan.json.plan.blobs.every((x: { action: string; from: string }) => x.action === "mount" && ["prod/x", "prod/y"].includes(x.from))).toBe(true);
  });

  it("a mount the registry refuses (a stale index entry) falls back to the upload", async () => {
    // the index claims prod/ghost holds the other image's blobs; registry B has no such repository
    const manifest = (await skopeoInspect(a, "team/other:1.0", { raw: true })) as { config: { digest: string; size: number }; layers: { digest: string; size: number }[] };
    await db.tagRecord.create({ data: { registryId: ids.b, repository: "prod/ghost", tag: "1.0", digest: other } });
    await db.manifestBlob.createMany({ data: [manifest.config, ...manifest.layers].map((l) => ({ manifestDigest: other, blobDigest: l.digest, size: BigInt(l.size) })), skipDuplicates: true });

    const mark = b.accessLog().length;
    const done = await promote({ source: { registryId: ids.a, repository: "team/other", reference: "1.0" }, target: { registryId: ids.b, repository: "prod/z", tag: "1.0" } });
    expect(done).toMatchObject({ state: "succeeded", digest: other });
    expect(done.bytesDone).toBeGreaterThan(3 * 64 * 1024);
    const { bodies, mounts } = await uploadsSince(mark);
    expect(mounts.length).toBe(4);
    expect(mounts.every((m) => m.status === 202 && m.from === "prod/ghost")).toBe(true);
    expect(bodies.length).toBeGreaterThanOrEqual(4);
    expect((await skopeoInspect(b, "prod/z:1.0")).Digest).toBe(other);
  });

  it("an image pushed to B outside Regatta and seen in the tag table is mounted from there", async () => {
    const built = await buildImage({ layers: layers(2, "pushed") });
    const [digest] = await Promise.all([pushImage(a, "team/pushed:1.0", built, { format: "oci" }), pushImage(b, "ci/pushed:1.0", built, { format: "oci" })]);
    // a user opens the repository in B: the tag details read the manifest and record its blobs
    const seen = await call(details.POST, { token: admin, method: "POST", params: { id: ids.b }, body: { repository: "ci/pushed", tags: ["1.0"] } });
    expect(seen.status).toBe(200);
    expect(seen.json.tags[0].digest).toBe(digest);

    const mark = b.accessLog().length;
    const done = await promote({ source: { registryId: ids.a, repository: "team/pushed", reference: "1.0" }, target: { registryId: ids.b, repository: "prod/pushed", tag: "1.0" } });
    expect(done).toMatchObject({ state: "succeeded", digest, bytesDone: 0 });
    const { bodies, mounts } = await uploadsSince(mark);
    expect(bodies).toEqual([]);
    expect(mounts).toHaveLength(3);
    expect(mounts.every((m) => m.status === 201 && m.from === "ci/pushed")).toBe(true);
    expect((await skopeoInspect(b, "prod/pushed:1.0")).Digest).toBe(digest);
  });
});

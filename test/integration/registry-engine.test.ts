// lib/registry against real registries (CNCF distribution 2.8: open, htpasswd, token auth),
// every result checked with skopeo, a client this project did not write. Request counts and
// "no bytes uploaded" come from the registry's own access log, filtered by our User-Agent.
// Fault cases (registry killed mid-copy, tokens expiring) are in registry-engine-faults.test.ts.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildImage, pushBigImage, pushImage, retag as harnessRetag, seedStandard, skopeo, skopeoInspect, skopeoListTags,
  startRegistry, type AccessLogEntry, type BuiltImage, type RegistryMode, type RunningRegistry, type StandardSeed,
} from "../harness";
import {
  copyImage, DOCKER_MANIFEST_SCHEMA2, OCI_INDEX, OCI_MANIFEST, RegistryClient, retag, type CopyProgress,
} from "@/lib/registry";

const MODES: RegistryMode[] = ["open", "htpasswd", "token"];
const regs = {} as Record<RegistryMode, RunningRegistry>;
const seeds = {} as Record<RegistryMode, StandardSeed>;
const UA = "regatta-itest/engine";

const sha256 = (b: Uint8Array | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

function clientFor(reg: RunningRegistry, userAgent = UA): RegistryClient {
  const credentials = reg.username ? { username: reg.username, password: reg.password! } : undefined;
  return new RegistryClient({ endpoint: reg.url, credentials, userAgent });
}

/** Position in the registry's access log, to read what came after it. */
const mark = (reg: RunningRegistry) => reg.accessLog().length;

/**
 * Access-log entries after `from` sent with `userAgent` (skopeo and the harness use other agents).
 * The registry writes a line just after answering, so wait until the log stops growing.
 */
async function requestsSince(reg: RunningRegistry, from: number, userAgent = UA): Promise<AccessLogEntry[]> {
  return (await reg.settledAccessLog(from)).filter((e) => e.userAgent === userAgent);
}
const line = (e: AccessLogEntry) => `${e.method} ${e.path} ${e.status}`;
const isUpload = (e: AccessLogEntry) => /^\/v2\/.+\/blobs\/uploads\//.test(e.path);

/** `skopeo inspect --raw`: the manifest bytes exactly as the registry serves them. */
async function skopeoRaw(reg: RunningRegistry, ref: string): Promise<string> {
  const creds = reg.username ? ["--creds", `${reg.username}:${reg.password}`] : [];
  return skopeo(["inspect", "--raw", "--tls-verify=false", ...creds, `docker://${reg.host}/${ref}`]);
}

beforeAll(async () => {
  const t0 = performance.now();
  await Promise.all(MODES.map(async (mode) => { regs[mode] = await startRegistry({ mode }); }));
  await Promise.all(MODES.map(async (mode) => { seeds[mode] = await seedStandard(regs[mode]); }));
  console.log(`3 registries started and seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
});

afterAll(async () => {
  await Promise.all(Object.values(regs).map((r) => r.stop()));
});

let throwaway: Promise<BuiltImage> | undefined;

describe.each(MODES)("%s registry", (mode) => {
  const reg = () => regs[mode];
  let client: RegistryClient;
  beforeAll(() => { client = clientFor(reg()); });

  it("listTags returns every tag of demo/many, the same set skopeo lists", async () => {
    const ours = await client.listTags("demo/many");
    const theirs = await skopeoListTags(reg(), "demo/many");
    expect(ours.length).toBeGreaterThanOrEqual(1500);
    expect(ours).toHaveLength(new Set(ours).size);
    expect(new Set(ours)).toEqual(new Set(theirs));
    expect(new Set(ours)).toEqual(new Set(seeds[mode].manyTags));
  });

  it.each([
    ["demo/app", "1.0.0", DOCKER_MANIFEST_SCHEMA2],
    ["demo/oci", "1.0", OCI_MANIFEST],
    ["demo/multi", "1.0", OCI_INDEX],
  ])("getManifest %s:%s gives skopeo's bytes and digest, media type %s; headManifest agrees", async (repo, tag, mediaType) => {
    const raw = await skopeoRaw(reg(), `${repo}:${tag}`);
    const inspected = await skopeoInspect(reg(), `${repo}:${tag}`);
    const m = await client.getManifest(repo, tag);
    expect(m.digest).toBe(sha256(raw));
    expect(m.digest).toBe(inspected.Digest);
    expect(m.digest).toBe(seeds[mode].digests[`${repo}:${tag}`]);
    expect(Buffer.from(m.bytes).toString("utf8")).toBe(raw);
    expect(m.mediaType).toBe(mediaType);
    const declared = (JSON.parse(raw) as { mediaType?: string }).mediaType;
    if (declared !== undefined) expect(declared).toBe(mediaType); // umoci's OCI manifests omit the field
    expect(await client.headManifest(repo, tag)).toEqual({ digest: m.digest, mediaType, size: Buffer.byteLength(raw) });
    expect(await client.headManifest(repo, m.digest)).toEqual({ digest: m.digest, mediaType, size: Buffer.byteLength(raw) });
  });

  it("retag of an image and of an index: skopeo sees the source digest on the new tag; two registry requests each", async () => {
    // A client that has already talked to this registry (knows its auth scheme): a brand-new
    // client pays one extra 401 round trip on its first request in htpasswd and token modes.
    const c = clientFor(reg(), `${UA}/retag`);
    expect((await c.ping()).ok).toBe(true);
    for (const [repo, from] of [["demo/app", "1.0.0"], ["demo/multi", "1.0"]] as const) {
      const to = `retagged-${mode}`;
      const at = mark(reg());
      const result = await retag(c, repo, from, to);
      const requests = await requestsSince(reg(), at, `${UA}/retag`);
      expect(requests.map(line)).toEqual([`GET /v2/${repo}/manifests/${from} 200`, `PUT /v2/${repo}/manifests/${to} 201`]);
      expect(result.digest).toBe(seeds[mode].digests[`${repo}:${from}`]);
      expect((await skopeoInspect(reg(), `${repo}:${to}`)).Digest).toBe(result.digest);
      expect(await skopeoRaw(reg(), `${repo}:${to}`)).toBe(await skopeoRaw(reg(), `${repo}:${from}`));
    }
  });

  it("promote demo/app:1.0.0 to another repository: same digest per skopeo, zero blob bytes uploaded", async () => {
    const source = await skopeoInspect(reg(), "demo/app:1.0.0");
    const at = mark(reg());
    const result = await copyImage(
      { client, repository: "demo/app", reference: "1.0.0" },
      { client, repository: "promoted/app", tag: "1.0.0" },
    );
    const requests = await requestsSince(reg(), at);
    const target = await skopeoInspect(reg(), "promoted/app:1.0.0");
    expect(target.Digest).toBe(source.Digest);
    expect(target.Layers).toEqual(source.Layers);
    // What the access log proves: every request on an upload URL was a cross-repository mount
    // (POST ...?mount=<digest>&from=demo%2Fapp answered 201 Created), one per blob (config + 2
    // layers); there was no PATCH and no PUT on an upload URL (the only requests that can carry
    // blob data) and no blob GET (nothing was read either).
    const uploads = requests.filter(isUpload);
    expect(uploads).toHaveLength(1 + source.Layers.length);
    for (const u of uploads) {
      expect(u).toMatchObject({ method: "POST", status: 201 });
      expect(u.path).toMatch(/\?(.*&)?mount=sha256%3A[0-9a-f]{64}/);
      expect(u.path).toContain("from=demo%2Fapp");
    }
    expect(requests.filter((e) => (e.method === "PATCH" || e.method === "PUT") && isUpload(e))).toEqual([]);
    expect(requests.filter((e) => e.method === "GET" && e.path.includes("/blobs/"))).toEqual([]);
    expect(result.bytesCopied).toBe(0);
    expect(result.plan.blobs.map((b) => b.action)).toEqual(["mount", "mount", "mount"]);
  });

  it("copyImage dry run returns a plan and writes nothing; a second copy to the same tag is a no-op", async () => {
    const src = { client, repository: "demo/oci", reference: "1.0" };
    let at = mark(reg());
    const dry = await copyImage(src, { client, repository: "planned/oci", tag: "1.0" }, { dryRun: true });
    const dryRequests = await requestsSince(reg(), at);
    expect(dry.digest).toBe(seeds[mode].digests["demo/oci:1.0"]);
    expect(dry.plan).toMatchObject({ noop: false, existingTargetDigest: undefined, manifests: 1, bytesToCopy: 0 });
    expect(dry.plan.blobs).toHaveLength(3); // config + 2 layers, all mountable within this registry
    expect(dry.plan.blobs.every((b) => b.action === "mount" && b.size > 0)).toBe(true);
    expect(dryRequests.length).toBeGreaterThan(0);
    expect(dryRequests.filter((e) => e.method !== "GET" && e.method !== "HEAD")).toEqual([]);
    await expect(skopeoInspect(reg(), "planned/oci:1.0")).rejects.toThrow(/manifest unknown|not found/i);
    expect(await client.headManifest("planned/oci", "1.0")).toBeNull();

    const target = { client, repository: "copied/oci", tag: "1.0" };
    const first = await copyImage(src, target);
    expect(first.plan.noop).toBe(false);
    at = mark(reg());
    const second = await copyImage(src, target);
    const secondRequests = await requestsSince(reg(), at);
    expect(second.plan).toMatchObject({ noop: true, existingTargetDigest: first.digest, manifests: 0 });
    expect(second.bytesCopied).toBe(0);
    expect(secondRequests.filter((e) => e.method !== "GET" && e.method !== "HEAD")).toEqual([]);
    expect((await skopeoInspect(reg(), "copied/oci:1.0")).Digest).toBe(first.digest);
  });

  it("deleteManifest by digest removes a pushed throwaway image and every tag on it", async () => {
    throwaway ??= buildImage({ layers: [{ files: { "throwaway.txt": "delete me\n" } }] }, "throwaway");
    const digest = await pushImage(reg(), "scratch/throwaway:1", await throwaway);
    expect(await harnessRetag(reg(), "scratch/throwaway", "1", "2")).toBe(digest);
    expect((await skopeoInspect(reg(), "scratch/throwaway:2")).Digest).toBe(digest);

    await client.deleteManifest("scratch/throwaway", digest);
    await expect(skopeoInspect(reg(), "scratch/throwaway:1")).rejects.toThrow(/manifest unknown/i);
    await expect(skopeoInspect(reg(), "scratch/throwaway:2")).rejects.toThrow(/manifest unknown/i);
    expect(await client.headManifest("scratch/throwaway", digest)).toBeNull();
    expect(await client.listTags("scratch/throwaway")).toEqual([]);
    // the other images of the registry are untouched
    expect((await skopeoInspect(reg(), "demo/oci:1.0")).Digest).toBe(seeds[mode].digests["demo/oci:1.0"]);
  });
});

describe("across registries", () => {
  let big: { digest: string; layerSize: number };
  beforeAll(async () => {
    big = await pushBigImage(regs.open, "big:1", 100);
  });

  it("copies a 100 MiB image from the open to the htpasswd registry: digest kept, progress reaches bytesTotal", async () => {
    const progress: CopyProgress[] = [];
    const t0 = performance.now();
    const result = await copyImage(
      { client: clientFor(regs.open), repository: "big", reference: "1" },
      { client: clientFor(regs.htpasswd), repository: "mirror/big", tag: "1" },
      { onProgress: (p) => progress.push(p) },
    );
    const seconds = (performance.now() - t0) / 1000;
    console.log(`cross-registry copy of ${(result.bytesCopied / 2 ** 20).toFixed(0)} MiB: ${seconds.toFixed(2)} s`);
    expect(result.digest).toBe(big.digest);
    expect((await skopeoInspect(regs.htpasswd, "mirror/big:1")).Digest).toBe(big.digest);
    expect(await skopeoRaw(regs.htpasswd, "mirror/big:1")).toBe(await skopeoRaw(regs.open, "big:1"));

    expect(big.layerSize).toBeGreaterThanOrEqual(100 * 2 ** 20);
    expect(result.plan.bytesToCopy).toBeGreaterThan(big.layerSize); // the layer and the config
    expect(result.bytesCopied).toBe(result.plan.bytesToCopy);
    expect(progress.length).toBeGreaterThan(10); // reported along the way, not only at the end
    expect(progress.at(-1)).toEqual({
      bytesDone: result.plan.bytesToCopy, bytesTotal: result.plan.bytesToCopy, blobsDone: 2, blobsTotal: 2,
    });
    for (let i = 1; i < progress.length; i++) expect(progress[i].bytesDone).toBeGreaterThanOrEqual(progress[i - 1].bytesDone);
  });

  it("ten copies of one image into one new repository at once (a bulk promotion of tags that share a digest): every tag written, each blob sent once", async () => {
    const image = await pushImage(regs.open, "bulk/src:1", { layers: [0, 1, 2, 3].map((i) => ({ files: { [`l${i}.txt`]: `layer ${i}\n` }, randomBytes: 128 * 1024 })) });
    const blobs = 5; // 4 layers and the config
    const at = mark(regs.htpasswd);
    const tags = Array.from({ length: 10 }, (_, i) => `t${i}`);
    // one client per copy, as ten promotions have
    const results = await Promise.allSettled(tags.map((tag) => copyImage(
      { client: clientFor(regs.open), repository: "bulk/src", reference: "1" },
      { client: clientFor(regs.htpasswd), repository: "bulk/many", tag },
    )));
    expect(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    for (const tag of ["t0", "t5", "t9"]) expect((await skopeoInspect(regs.htpasswd, `bulk/many:${tag}`)).Digest).toBe(image);
    // the blobs' bytes went once (registry 2.8 rewrites a blob's link file on each upload, and a
    // manifest PUT reading it mid-write was refused: MANIFEST_BLOB_UNKNOWN, DIGEST_INVALID)
    const uploads = (await requestsSince(regs.htpasswd, at)).filter((e) => isUpload(e) && e.method === "PUT");
    expect(uploads).toHaveLength(blobs);
    expect((results as PromiseFulfilledResult<{ bytesCopied: number }>[]).reduce((t, r) => t + r.value.bytesCopied, 0)).toBeLessThan(2 * 4 * 128 * 1024);
  });

  it("copies the multi-arch index from the open to the token registry: children first, identical bytes, one token", async () => {
    const at = mark(regs.token);
    const tokensBefore = regs.token.tokenServer!.log.length;
    const result = await copyImage(
      { client: clientFor(regs.open), repository: "demo/multi", reference: "1.0" },
      { client: clientFor(regs.token), repository: "mirror/multi", tag: "1.0" },
    );
    const tokens = regs.token.tokenServer!.log.slice(tokensBefore); // before skopeo asks for its own
    const requests = await requestsSince(regs.token, at);
    const sourceRaw = await skopeoRaw(regs.open, "demo/multi:1.0");
    expect(await skopeoRaw(regs.token, "mirror/multi:1.0")).toBe(sourceRaw);
    expect(result.digest).toBe(seeds.open.digests["demo/multi:1.0"]);
    // one token for the whole copy: its first request to the target asks for what the uploads need
    expect(tokens.map((t) => [t.status, t.scopes])).toEqual([[200, ["repository:mirror/multi:pull,push"]]]);

    const children = (JSON.parse(sourceRaw) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest);
    expect(children).toHaveLength(2);
    const writes = requests.filter((e) => e.method === "PUT");
    const manifestPuts = writes.filter((e) => e.path.includes("/manifests/")).map((e) => e.path.split("/manifests/")[1]);
    // both platform manifests by digest (in any order), then the index by its tag, last of all
    expect(manifestPuts.slice(0, 2).sort()).toEqual([...children].sort());
    expect(manifestPuts.slice(2)).toEqual(["1.0"]);
    expect(writes.at(-1)?.path).toBe("/v2/mirror/multi/manifests/1.0");
    const lastBlobPut = writes.findLastIndex((e) => isUpload(e));
    const firstManifestPut = writes.findIndex((e) => e.path.includes("/manifests/"));
    expect(lastBlobPut).toBeGreaterThanOrEqual(0);
    expect(lastBlobPut).toBeLessThan(firstManifestPut); // every blob before any manifest
    for (const child of children) {
      expect(await skopeoRaw(regs.token, `mirror/multi@${child}`)).toBe(await skopeoRaw(regs.open, `demo/multi@${child}`));
    }
  });
});

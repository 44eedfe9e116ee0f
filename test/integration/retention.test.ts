// Retention policies against a real registry:2 (delete enabled): 300 version tags over three
// major lines, each its own manifest with its own config blob (so bytes freed can be counted),
// a tag in a pipeline stage, a protected tag, a tag sharing a kept digest. The run deletes exactly
// the preview's delete list: skopeo (a client Regatta did not write) then lists the keep list.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import * as policies from "@/app/api/v1/retention-policies/route";
import * as policy from "@/app/api/v1/retention-policies/[id]/route";
import * as preview from "@/app/api/v1/retention-policies/[id]/preview/route";
import * as runs from "@/app/api/v1/retention-policies/[id]/runs/route";
import * as stop from "@/app/api/v1/retention-policies/[id]/runs/[runId]/stop/route";
import { db } from "@/lib/db";
import type { RetentionPreview, RetentionRunView } from "@/lib/schemas/retention";
import { waitForRun } from "@/lib/services/retention";
import { mapLimit, registryFetch, skopeoListTags, startRegistry, type RunningRegistry } from "../harness";
import { OCI_MANIFEST, pushBlob as pushBlobTo, pushDistinctImage } from "../harness/distinct-images";
import { call, userWithToken } from "../support/api";

let reg: RunningRegistry;
let admin: string;
let operator: string;
let registryId: string;
const suffix = randomUUID().slice(0, 8);
const REPO = "acme/api";
const PROD = "acme/api-prod";
const configSizes = new Map<string, number>(); // manifest digest -> config blob size

const pushBlob = (repo: string, bytes: Uint8Array) => pushBlobTo(reg, repo, bytes);
async function pushImage(repo: string, tag: string, layer: { digest: string; size: number }): Promise<string> {
  const image = await pushDistinctImage(reg, repo, tag, layer);
  configSizes.set(image.digest, image.configSize);
  return image.digest;
}

async function putSameManifest(repo: string, fromTag: string, toTag: string) {
  const get = await registryFetch(reg, `/v2/${repo}/manifests/${fromTag}`, { headers: { accept: OCI_MANIFEST }, scopes: [`repository:${repo}:pull`] });
  const bytes = new Uint8Array(await get.arrayBuffer());
  const res = await registryFetch(reg, `/v2/${repo}/manifests/${toTag}`, { method: "PUT", body: Buffer.from(bytes), headers: { "content-type": OCI_MANIFEST }, scopes: [`repository:${repo}:pull,push`] });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`PUT ${repo}:${toTag} → ${res.status}`);
}

// 1.0.0 … 3.4.19: three major lines, five minor lines each, twenty patches each
const VERSIONS = [1, 2, 3].flatMap((major) => Array.from({ length: 5 }, (_, minor) => Array.from({ length: 20 }, (_, patch) => `${major}.${minor}.${patch}`)).flat());

beforeAll(async () => {
  reg = await startRegistry({ mode: "htpasswd", name: "retention", deleteEnabled: true });
  admin = (await userWithToken("ADMIN")).token;
  operator = (await userWithToken("OPERATOR")).token;
  const r = await call(collection.POST, { token: admin, method: "POST", body: { name: `retention-${suffix}`, kind: "GENERIC", endpoint: reg.url, credentials: { username: reg.username, password: reg.password } } });
  expect(r.status).toBe(201);
  registryId = r.json.id;
  const layerBytes = new TextEncoder().encode("shared layer ".repeat(100));
  const layer = { digest: await pushBlob(REPO, layerBytes), size: layerBytes.length };
  await mapLimit(VERSIONS, 8, (v) => pushImage(REPO, v, layer));
  await pushImage(REPO, "scratch", layer);
  await putSameManifest(REPO, "3.4.19", "old-alias"); // shares the digest of a kept tag
  // the stage "prod" holds 1.0.3 at the same digest
  await pushBlob(PROD, layerBytes);
  await putSameManifestAcross(REPO, PROD, "1.0.3");
  await db.stage.create({ data: { name: `prod-${suffix}`, position: 90, registryId, repository: PROD } });
  await db.protectionRule.create({ data: { registryId, repositoryGlob: REPO, tagGlob: "2.1.0", minRole: "ADMIN", reason: "the 2.1 LTS release" } });
}, 240_000);

async function putSameManifestAcross(from: string, to: string, tag: string) {
  const get = await registryFetch(reg, `/v2/${from}/manifests/${tag}`, { headers: { accept: OCI_MANIFEST }, scopes: [`repository:${from}:pull`] });
  const bytes = new Uint8Array(await get.arrayBuffer());
  const config = JSON.parse(new TextDecoder().decode(bytes)).config.digest as string;
  const blob = await registryFetch(reg, `/v2/${from}/blobs/${config}`, { scopes: [`repository:${from}:pull`] });
  await pushBlob(to, new Uint8Array(await blob.arrayBuffer()));
  const res = await registryFetch(reg, `/v2/${to}/manifests/${tag}`, { method: "PUT", body: Buffer.from(bytes), headers: { "content-type": OCI_MANIFEST }, scopes: [`repository:${to}:pull,push`] });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`PUT ${to}:${tag} → ${res.status}`);
}

afterAll(async () => {
  await db.stage.deleteMany({ where: { name: `prod-${suffix}` } });
  await db.protectionRule.deleteMany({ where: { registryId } });
  await reg?.stop();
});

async function runsOf(id: string): Promise<RetentionRunView[]> {
  return (await call(runs.GET, { token: admin, params: { id } })).json.runs;
}

describe("retention policies", () => {
  it.each([
    ["no keep rule", { rules: {} }, "at least one keep rule"],
    ["a bad repository glob", { repositoryGlob: "acme/{api" }, "repositoryGlob"],
    ["a bad keepTags glob", { rules: { keepTags: ["rc[0-9"] } }, "keepTags"],
    ["keepLast 0", { rules: { keepLast: { count: 0 } } }, "keepLast.count"],
    ["an unknown rule", { rules: { keepLast: { count: 3 }, deleteAll: true } }, "deleteAll"],
  ])("refuses %s with 422 and stores nothing", async (_, change, message) => {
    const before = await db.retentionPolicy.count();
    const r = await call(policies.POST, { token: admin, method: "POST", body: { name: "bad", registryId, repositoryGlob: REPO, rules: { keepLast: { count: 5 } }, ...change } });
    expect(r.status).toBe(422);
    expect(r.text).toContain(message);
    expect(await db.retentionPolicy.count()).toBe(before);
  });

  it("lets only an admin write policies", async () => {
    const r = await call(policies.POST, { token: operator, method: "POST", body: { name: "x", registryId, repositoryGlob: REPO, rules: { keepLast: { count: 5 } } } });
    expect(r.status).toBe(403);
  });

  it("previews, then a run leaves exactly the preview's keep list (skopeo), never a protected or staged tag", async () => {
    const created = await call(policies.POST, { token: admin, method: "POST", body: { name: "api: 5 per minor", registryId, repositoryGlob: "acme/api", rules: { keepLast: { count: 5, per: "minor" } } } });
    expect(created.status).toBe(201);
    const id = created.json.id as string;

    const p = await call(preview.POST, { token: admin, method: "POST", params: { id } });
    expect(p.status).toBe(200);
    const plan = p.json as RetentionPreview;
    const kept = new Map(plan.keep.map((k) => [k.tag, k.reason]));
    // 15 minor lines × 5, plus the staged, the protected and the alias of a kept digest
    expect(plan.keep).toHaveLength(15 * 5 + 3);
    expect(plan.delete).toHaveLength(302 - plan.keep.length);
    expect(kept.get("1.0.19")).toContain("newest 5 versions of line 1.0.x");
    expect(kept.get("1.0.3")).toContain(`in stage prod-${suffix}`);
    expect(kept.get("2.1.0")).toContain("protected (the 2.1 LTS release)");
    expect(kept.get("old-alias")).toContain("shares its digest with the kept tag 3.4.19");
    expect(plan.delete.find((d) => d.tag === "1.0.14")?.reason).toContain("older than the newest 5 versions of line 1.0.x");
    expect(plan.delete.find((d) => d.tag === "scratch")?.reason).toBe("kept by no rule");
    // bytes: the config blobs of the deleted images (the shared layer stays in use)
    expect(plan.bytes).toBe(plan.delete.reduce((sum, d) => sum + configSizes.get(d.digest)!, 0));
    expect(plan.bytes).toBeGreaterThan(0);

    const started = await call(runs.POST, { token: admin, method: "POST", params: { id } });
    expect(started.status).toBe(202);
    await waitForRun(started.json.id);
    const [run] = await runsOf(id);
    expect(run).toMatchObject({ id: started.json.id, state: "succeeded", total: plan.delete.length, deleted: plan.delete.length, failed: 0, bytes: plan.bytes });

    const left = await skopeoListTags(reg, REPO);
    expect([...left].sort()).toEqual(plan.keep.map((k) => k.tag).sort());
    expect(left).toContain("2.1.0");
    expect(left).toContain("1.0.3");
    // one audit event per deletion, each naming the run
    const events = await db.auditEvent.findMany({ where: { action: "delete", registryId, repository: REPO } });
    const ofRun = events.filter((e) => (e.details as { retentionRunId?: string } | null)?.retentionRunId === run!.id);
    expect(ofRun).toHaveLength(plan.delete.length);
    expect(ofRun.every((e) => e.outcome === "success")).toBe(true);

    // a second preview finds nothing more to delete
    const again = (await call(preview.POST, { token: admin, method: "POST", params: { id } })).json as RetentionPreview;
    expect(again.delete).toEqual([]);
  }, 240_000);

  it("keeps every tag of a manifest a kept index references", async () => {
    const layerBytes = new TextEncoder().encode("multi layer");
    const layer = { digest: await pushBlob("acme/multi", layerBytes), size: layerBytes.length };
    const [a, b] = [await pushDistinctImage(reg, "acme/multi", "build-amd64", layer), await pushDistinctImage(reg, "acme/multi", "build-arm64", layer)];
    await pushDistinctImage(reg, "acme/multi", "0.9.0", layer);
    // an OCI image index (OCI Image Spec, image-index.md): manifests with their platforms
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        { mediaType: OCI_MANIFEST, digest: a!.digest, size: a!.size, platform: { architecture: "amd64", os: "linux" } },
        { mediaType: OCI_MANIFEST, digest: b!.digest, size: b!.size, platform: { architecture: "arm64", os: "linux" } },
      ],
    });
    const put = await registryFetch(reg, "/v2/acme/multi/manifests/1.0.0", { method: "PUT", body: index, headers: { "content-type": "application/vnd.oci.image.index.v1+json" }, scopes: ["repository:acme/multi:pull,push"] });
    expect(put.status).toBe(201);
    const created = await call(policies.POST, { token: admin, method: "POST", body: { name: "multi", registryId, repositoryGlob: "acme/multi", rules: { keepLast: { count: 1 } } } });
    const plan = (await call(preview.POST, { token: admin, method: "POST", params: { id: created.json.id } })).json as RetentionPreview;
    expect(plan.delete.map((d) => d.tag)).toEqual(["0.9.0"]);
    expect(Object.fromEntries(plan.keep.map((k) => [k.tag, k.reason]))).toEqual({
      "1.0.0": "one of the newest 1 versions",
      "build-amd64": "its digest is part of the kept index 1.0.0",
      "build-arm64": "its digest is part of the kept index 1.0.0",
    });
  });

  it("a stage whose registry does not answer neither blocks the preview nor lets a tag it held go", async () => {
    const layerBytes = new TextEncoder().encode("dead stage layer");
    const layer = { digest: await pushBlob("acme/dead", layerBytes), size: layerBytes.length };
    const held = await pushDistinctImage(reg, "acme/dead", "4.0.0", layer);
    await pushDistinctImage(reg, "acme/dead", "4.0.1", layer);
    await pushDistinctImage(reg, "acme/dead", "4.0.2", layer);
    // a stage in a registry that is gone (nothing listens there); Regatta's index last saw 4.0.0 in it
    const dead = await call(collection.POST, { token: admin, method: "POST", body: { name: `dead-stage-${suffix}`, kind: "GENERIC", endpoint: "http://127.0.0.1:9" } });
    expect(dead.status).toBe(201);
    await db.stage.create({ data: { name: `gone-${suffix}`, position: 95, registryId: dead.json.id, repository: "acme/dead-prod" } });
    await db.tagRecord.create({ data: { registryId: dead.json.id, repository: "acme/dead-prod", tag: "4.0.0", digest: held!.digest } });
    const created = await call(policies.POST, { token: admin, method: "POST", body: { name: "dead stage", registryId, repositoryGlob: "acme/dead", rules: { keepLast: { count: 1 } } } });
    const p = await call(preview.POST, { token: admin, method: "POST", params: { id: created.json.id } });
    expect(p.status, JSON.stringify(p.json)).toBe(200);
    const plan = p.json as RetentionPreview;
    expect(plan.delete.map((d) => d.tag)).toEqual(["4.0.1"]);
    expect(plan.keep.find((k) => k.tag === "4.0.0")?.reason).toMatch(/^in stage gone-.* \(as Regatta last saw it/);
  });

  it("a run left running by an instance that stopped does not block the policy forever", async () => {
    const created = await call(policies.POST, { token: admin, method: "POST", body: { name: "stale", registryId, repositoryGlob: "acme/none", rules: { keepLast: { count: 1 } } } });
    const id = created.json.id as string;
    const stale = await db.retentionRun.create({ data: { policyId: id, requestedBy: "gone@example.com", heartbeatAt: new Date(Date.now() - 10 * 60_000) } });
    const fresh = await db.retentionRun.create({ data: { policyId: id, requestedBy: "busy@example.com" } });
    expect((await call(runs.POST, { token: admin, method: "POST", params: { id } })).status).toBe(409); // a live run still blocks
    await db.retentionRun.delete({ where: { id: fresh.id } });
    const started = await call(runs.POST, { token: admin, method: "POST", params: { id } });
    expect(started.status).toBe(202);
    await waitForRun(started.json.id);
    const byId = new Map((await runsOf(id)).map((r) => [r.id, r]));
    expect(byId.get(stale.id)).toMatchObject({ state: "failed", error: expect.stringContaining("interrupted") });
    expect(byId.get(started.json.id)!.state).not.toBe("running");
  });

  it("stops a run between deletions when asked", async () => {
    const layerBytes = new TextEncoder().encode("another layer");
    const layer = { digest: await pushBlob("acme/stop", layerBytes), size: layerBytes.length };
    const tags = Array.from({ length: 40 }, (_, i) => `0.1.${i}`);
    await mapLimit(tags, 8, (t) => pushImage("acme/stop", t, layer));
    const created = await call(policies.POST, { token: admin, method: "POST", body: { name: "stop", registryId, repositoryGlob: "acme/stop", rules: { keepLast: { count: 1 } } } });
    const id = created.json.id as string;
    const started = await call(runs.POST, { token: admin, method: "POST", params: { id } });
    expect((await call(runs.POST, { token: admin, method: "POST", params: { id } })).status).toBe(409);
    const s = await call(stop.POST, { token: admin, method: "POST", params: { id, runId: started.json.id } });
    expect(s.status).toBe(200);
    await waitForRun(started.json.id);
    const [run] = await runsOf(id);
    expect(run!.state).toBe("stopped");
    expect(run!.deleted).toBeLessThan(39);
    expect((await skopeoListTags(reg, "acme/stop")).length).toBe(40 - run!.deleted);
    // a finished policy can be changed and removed
    expect((await call(policy.PATCH, { token: admin, method: "PATCH", params: { id }, body: { rules: { keepDays: 7 } } })).json.rules).toEqual({ keepDays: 7 });
    expect((await call(policy.PATCH, { token: admin, method: "PATCH", params: { id }, body: { rules: {} } })).status).toBe(422);
    expect((await call(policy.DELETE, { token: admin, method: "DELETE", params: { id } })).status).toBe(204);
    expect(await db.retentionRun.count({ where: { policyId: id } })).toBe(0);
  }, 120_000);
});

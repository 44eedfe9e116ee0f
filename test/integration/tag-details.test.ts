// The tag table's details against a real registry: digests as skopeo sees them, one manifest GET
// per distinct digest (counted in the registry's own access log), none on a second call, and a
// moved tag noticed with TagRecord.changedAt.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import * as tagsRoute from "@/app/api/v1/registries/[id]/tags/route";
import * as detailsRoute from "@/app/api/v1/registries/[id]/tags/details/route";
import * as healthRoute from "@/app/api/v1/registries/[id]/health/route";
import { db } from "@/lib/db";
import type { TagDetailsAnswer, TagRow, TagsAnswer } from "@/lib/schemas/browse";
import { retag, seedStandard, skopeoInspect, skopeoListTags, startRegistry, STANDARD_PLAN, type RunningRegistry, type StandardSeed } from "../harness";
import { call, userWithToken } from "../support/api";

let reg: RunningRegistry;
let seed: StandardSeed;
let id: string;
let viewer: string;

async function tagsResponse(query: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  const req = new Request(`http://127.0.0.1:3000/api/v1/registries/${id}/tags?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${viewer}`, ...headers } });
  return tagsRoute.GET(req, { params: Promise.resolve({ id }) });
}

async function tags(repository: string): Promise<TagsAnswer> {
  const res = await tagsResponse({ repository });
  expect(res.status).toBe(200);
  return res.json();
}

async function details(repository: string, names: string[]): Promise<TagDetailsAnswer> {
  const r = await call(detailsRoute.POST, { token: viewer, method: "POST", params: { id }, body: { repository, tags: names } });
  expect(r.status, r.text).toBe(200);
  return r.json;
}

/** Successful manifest requests the registry logged for a repository, by method. */
function manifestRequests(repository: string) {
  const log = reg.accessLog().filter((e) => e.status === 200 && e.path.startsWith(`/v2/${repository}/manifests/`));
  return { get: log.filter((e) => e.method === "GET").length, head: log.filter((e) => e.method === "HEAD").length };
}

const chunks = <T,>(xs: T[], n: number) => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

beforeAll(async () => {
  reg = await startRegistry({ mode: "htpasswd", name: "tag-details" });
  seed = await seedStandard(reg);
  const admin = (await userWithToken("ADMIN")).token;
  viewer = (await userWithToken("VIEWER")).token;
  const r = await call(collection.POST, { token: admin, method: "POST", body: { name: "tag-details", kind: "GENERIC", endpoint: reg.url, credentials: { username: reg.username, password: reg.password } } });
  expect(r.status).toBe(201);
  id = r.json.id;
});

afterAll(async () => {
  await reg?.stop();
});

describe("tag details", () => {
  it("lists names at once, then fills every tag of demo/app with skopeo's digests and one GET per distinct digest", async () => {
    const first = await tags("demo/app");
    expect(first.tags.map((t) => t.name)).toEqual(["1.0.0", "1.1.0", "latest"]);
    expect(first.tags.every((t) => t.digest === undefined)).toBe(true);

    const before = manifestRequests("demo/app");
    const d = await details("demo/app", ["1.0.0", "1.1.0", "latest"]);
    const after = manifestRequests("demo/app");
    for (const t of d.tags) {
      expect(t.digest).toBe((await skopeoInspect(reg, `demo/app:${t.name}`)).Digest);
      expect(t.kind).toBe("image");
      expect(t.platforms).toEqual(["linux/amd64"]);
      expect(t.size).toBeGreaterThan(0);
      expect(t.createdAt).toBeTruthy();
    }
    // 1.1.0 and latest share a digest: 3 HEADs, 2 GETs
    expect(after.head - before.head).toBe(3);
    expect(after.get - before.get).toBe(2);
    expect(d.requests).toEqual({ head: 3, manifest: 2, blob: 2 });

    // the size is the config plus the layers, as the manifest says
    const raw = await skopeoInspect(reg, "demo/app:1.0.0", { raw: true });
    const want = raw.config.size + raw.layers.reduce((a: number, l: { size: number }) => a + l.size, 0);
    expect(d.tags.find((t) => t.name === "1.0.0")!.size).toBe(want);
  });

  it("a second call makes HEADs only, and the tag list alone carries every column", async () => {
    const before = manifestRequests("demo/app");
    const d = await details("demo/app", ["1.0.0", "1.1.0", "latest"]);
    const after = manifestRequests("demo/app");
    expect(after.get - before.get).toBe(0);
    expect(after.head - before.head).toBe(3);
    expect(d.requests.manifest).toBe(0);

    const again = await tags("demo/app");
    expect(manifestRequests("demo/app").get).toBe(after.get);
    for (const t of again.tags) {
      expect(t).toMatchObject({ digest: seed.digests[`demo/app:${t.name}`], kind: "image", platforms: ["linux/amd64"] });
      expect(t.size).toBeGreaterThan(0);
      expect(t.createdAt).toBeTruthy();
      expect(t.checkedAt).toBeTruthy();
    }
    const repo = await db.repositoryRecord.findUnique({ where: { registryId_name: { registryId: id, name: "demo/app" } } });
    expect(repo?.tagCount).toBe(3);
  });

  // (htpasswd: the registry checks a bcrypt hash on every request, so 1,500 HEADs take seconds here)
  it("1,500 tags in concurrent batches of 200: skopeo's names and digest, one manifest GET in all", async () => {
    const repo = STANDARD_PLAN.manyRepo;
    const list = await tags(repo);
    expect(list.tags.map((t) => t.name).sort()).toEqual((await skopeoListTags(reg, repo)).sort());
    expect(list.tags).toHaveLength(1500);
    const before = manifestRequests(repo);
    const answers = await Promise.all(chunks(list.tags.map((t) => t.name), 200).map((names) => details(repo, names)));
    const after = manifestRequests(repo);
    const rows: TagRow[] = answers.flatMap((a) => a.tags);
    expect(rows).toHaveLength(1500);
    const digest = (await skopeoInspect(reg, `${repo}:v1234`)).Digest;
    expect(digest).toBe(seed.digests[`${repo}:v0001`]);
    expect(new Set(rows.map((r) => r.digest))).toEqual(new Set([digest]));
    expect(rows.every((r) => r.size && r.createdAt && r.platforms?.length)).toBe(true);
    expect(after.head - before.head).toBe(1500);
    expect(after.get - before.get).toBe(1);
  });

  it("a first page: the first 100 tags in the table's order with every known column and the total; a bad limit is a 422", async () => {
    const repo = STANDARD_PLAN.manyRepo;
    const all = await tags(repo);
    const res = await tagsResponse({ repository: repo, limit: "100" });
    expect(res.status).toBe(200);
    const first = (await res.json()) as TagsAnswer;
    expect(first.total).toBe(1500);
    expect(first.tags).toEqual(all.tags.slice(0, 100));
    expect(first.tags.every((t) => t.digest && t.size)).toBe(true);
    for (const limit of ["0", "1001", "ten", "1.5"]) {
      const bad = await tagsResponse({ repository: repo, limit });
      expect(bad.status, limit).toBe(422);
      expect((await bad.json()).error.message).toMatch(/limit/);
    }
  });

  it("an index: platforms from its children, each child read once, size summed over them", async () => {
    const before = manifestRequests("demo/multi");
    const [t] = (await details("demo/multi", ["1.0"])).tags;
    const after = manifestRequests("demo/multi");
    expect(t).toMatchObject({ digest: seed.multi.digest, kind: "index" });
    expect(t.platforms?.sort()).toEqual(["linux/amd64", "linux/arm64"]);
    expect(t.createdAt).toBeTruthy();
    // distinct digests: the index and its two children
    expect(after.get - before.get).toBe(1 + seed.multi.manifests.length);
    let sum = 0;
    for (const child of seed.multi.manifests) {
      const raw = await skopeoInspect(reg, `demo/multi@${child.digest}`, { raw: true });
      sum += raw.config.size + raw.layers.reduce((a: number, l: { size: number }) => a + l.size, 0);
    }
    expect(t.size).toBe(sum);
  });

  it("a moved tag is noticed: new digest, changedAt updated, a TagChange kept", async () => {
    const key = { registryId_repository_tag: { registryId: id, repository: "demo/app", tag: "latest" } };
    const old = await db.tagRecord.findUniqueOrThrow({ where: key });
    await new Promise((r) => setTimeout(r, 20));
    const moved = await retag(reg, "demo/app", "1.0.0", "latest");
    expect(moved).toBe(seed.digests["demo/app:1.0.0"]);
    const before = manifestRequests("demo/app");
    const [t] = (await details("demo/app", ["latest"])).tags;
    // 1.0.0's digest is already known: no GET
    expect(manifestRequests("demo/app").get - before.get).toBe(0);
    expect(t.digest).toBe((await skopeoInspect(reg, "demo/app:latest")).Digest);
    const now = await db.tagRecord.findUniqueOrThrow({ where: key });
    expect(now.digest).toBe(moved);
    expect(now.changedAt.getTime()).toBeGreaterThan(old.changedAt.getTime());
    expect(now.firstSeenAt).toEqual(old.firstSeenAt);
    const change = await db.tagChange.findFirst({ where: { registryId: id, repository: "demo/app", tag: "latest" }, orderBy: { at: "desc" } });
    expect(change).toMatchObject({ digest: moved, previousDigest: old.digest, source: "SYNC" });
  });

  it("a tag that disappeared comes back as missing; bad input is a 422 that names the problem", async () => {
    const [t] = (await details("demo/app", ["no-such-tag"])).tags;
    expect(t).toEqual({ name: "no-such-tag", missing: true });
    const tooMany = await call(detailsRoute.POST, { token: viewer, method: "POST", params: { id }, body: { repository: "demo/app", tags: Array.from({ length: 201 }, (_, i) => `t${i}`) } });
    expect(tooMany.status).toBe(422);
    expect(tooMany.json.error.message).toContain("at most 200");
  });

  it("health: reachable, authenticated, latency, and the counts browsing has seen", async () => {
    const h = await call(healthRoute.GET, { token: viewer, params: { id } });
    expect(h.status).toBe(200);
    expect(h.json).toMatchObject({ reachable: true, authenticated: true, repositories: 2 });
    expect(h.json.latencyMs).toBeGreaterThanOrEqual(0);
    expect(h.json.tags).toBe(1503);
  });
});

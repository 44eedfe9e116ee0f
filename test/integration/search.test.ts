// Global search over what Regatta knows, filled by the sync job from two real registries: ranking
// (exact > prefix > substring), digest prefixes with or without "sha256:", bad input. Then the
// manifest answer's referrers (a signature and an SBOM pushed with a `subject`) and "where else"
// (the same digest in both registries, an image's parent index). Last, 100,000 tags: the plans
// use the trigram and btree indexes, and the time per query is printed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import * as manifestsRoute from "@/app/api/v1/registries/[id]/manifests/route";
import * as searchRoute from "@/app/api/v1/search/route";
import { db } from "@/lib/db";
import { stopBoss } from "@/lib/jobs/boss";
import { syncRegistry } from "@/lib/services/registry-sync";
import type { SearchAnswer } from "@/lib/schemas/search";
import { search } from "@/lib/services/search";
import type { ManifestDetails } from "@/lib/services/browse";
import { buildImage, pushImage, pushIndex, retag, skopeoInspect, startRegistry, type PushedIndex, type RunningRegistry } from "../harness";
import { pushReferrer, type PushedArtifact } from "../harness/artifacts";
import { call, userWithToken } from "../support/api";

let a: RunningRegistry;
let b: RunningRegistry;
const ids: Record<string, string> = {};
let viewer: string;
let shared: string;
let index: PushedIndex;
let sig: PushedArtifact;
let sbom: PushedArtifact;

async function find(q: string): Promise<SearchAnswer> {
  const req = new Request(`http://127.0.0.1:3000/api/v1/search?${new URLSearchParams({ q })}`, { headers: { authorization: `Bearer ${viewer}` } });
  const res = await searchRoute.GET(req, { params: Promise.resolve({}) });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

async function manifest(registryId: string, repository: string, reference: string): Promise<ManifestDetails> {
  const req = new Request(`http://127.0.0.1:3000/api/v1/registries/${registryId}/manifests?${new URLSearchParams({ repository, reference })}`, { headers: { authorization: `Bearer ${viewer}` } });
  const res = await manifestsRoute.GET(req, { params: Promise.resolve({ id: registryId }) });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

const label = (h: SearchAnswer["results"][number]) => `${h.kind} ${h.registryName}/${h.repository}${h.tag ? `:${h.tag}` : ""} ${h.match}`;

beforeAll(async () => {
  process.env.REGATTA_SYNC_INTERVAL_MINUTES = "0";
  [a, b] = await Promise.all([startRegistry({ mode: "open", name: "search-a" }), startRegistry({ mode: "htpasswd", name: "search-b" })]);
  const image = await buildImage({ labels: { app: "api" } });
  shared = await pushImage(a, "acme/api:1.0", image);
  expect(await pushImage(b, "mirror/api:1.0", image)).toBe(shared);
  await retag(a, "acme/api", "1.0", "1.0.1");
  await retag(a, "acme/api", "1.0", "v1.0");
  await pushImage(a, "acme/api-gateway:2.0", { labels: { app: "gw" } });
  await pushImage(a, "tools/apictl:3.0", { labels: { app: "ctl" } });
  await pushImage(a, "legacy/myapi:0.9", { labels: { app: "old" } });
  index = await pushIndex(a, "acme/multi:1.0");
  sig = await pushReferrer(a, "acme/api", shared, "application/vnd.dev.cosign.artifact.sig.v1+json", "signature bytes");
  sbom = await pushReferrer(a, "acme/api", shared, "application/spdx+json", JSON.stringify({ spdxVersion: "SPDX-2.3" }));
  const admin = (await userWithToken("ADMIN")).token;
  viewer = (await userWithToken("VIEWER")).token;
  for (const [name, r] of Object.entries({ a, b })) {
    const res = await call(collection.POST, { token: admin, method: "POST", body: { name: `search-${name}`, kind: "GENERIC", endpoint: r.url, credentials: r.username ? { username: r.username, password: r.password } : undefined } });
    expect(res.status, res.text).toBe(201);
    ids[name] = res.json.id;
    await syncRegistry(ids[name]);
  }
  // the index is described (kind "index") the way the tag table does it
  await db.manifestInfo.createMany({ data: [{ digest: index.digest, mediaType: "application/vnd.oci.image.index.v1+json", kind: "index", size: 1, platforms: ["linux/amd64", "linux/arm64"] }], skipDuplicates: true });
});

afterAll(async () => {
  await stopBoss();
  await Promise.all([a?.stop(), b?.stop()]);
});

describe("global search", () => {
  it("ranks repositories exact, then prefix, then substring", async () => {
    // this file's registries only: other files share the database (e.g. an ECR registry's team/api)
    const repos = (await find("api")).results.filter((h) => h.kind === "repository" && h.registryName.startsWith("search-")).map(label);
    expect(repos).toEqual([
      "repository search-a/acme/api exact",
      "repository search-b/mirror/api exact",
      "repository search-a/tools/apictl prefix",
      "repository search-a/acme/api-gateway prefix",
      "repository search-a/legacy/myapi substring",
    ]);
  });

  it("ranks tags exact, then prefix, then substring, across registries", async () => {
    const tags = (await find("1.0")).results.filter((h) => h.kind === "tag" && h.repository.endsWith("api")).map(label);
    expect(tags).toEqual([
      "tag search-a/acme/api:1.0 exact",
      "tag search-b/mirror/api:1.0 exact",
      "tag search-a/acme/api:1.0.1 prefix",
      "tag search-a/acme/api:v1.0 substring",
    ]);
    const hit = (await find("acme/api:1.0")).results[0];
    expect(hit).toMatchObject({ kind: "tag", registryId: ids.a, repository: "acme/api", tag: "1.0", digest: shared, match: "exact" });
  });

  it("finds a digest by its full value or a prefix of 6+ hex characters, with or without sha256:", async () => {
    const hex = shared.slice(7);
    for (const q of [shared, hex, hex.slice(0, 12), `sha256:${hex.slice(0, 6)}`, hex.slice(0, 8).toUpperCase()]) {
      const r = await find(q);
      const digests = r.results.filter((h) => h.kind === "digest");
      expect(digests.map((h) => `${h.registryName}/${h.repository}`), q).toEqual(["search-a/acme/api", "search-b/mirror/api"]);
      expect(digests[0].tags).toEqual(["1.0", "1.0.1", "v1.0"]);
      expect(digests[0].match).toBe(q.length >= 64 ? "exact" : "prefix");
      expect(r.results[0].kind).toBe("digest");
    }
    // five characters are not a digest prefix
    expect((await find(hex.slice(0, 5))).results.filter((h) => h.kind === "digest")).toEqual([]);
    expect((await find(`sha256:${"0".repeat(64)}`)).results).toEqual([]);
  });

  it("takes % and _ literally, and refuses a query too short or missing", async () => {
    expect((await find("a_i")).results).toEqual([]);
    expect((await find("%%")).results).toEqual([]);
    expect((await call(searchRoute.GET, { token: viewer })).status).toBe(422);
    const short = await searchRoute.GET(new Request("http://127.0.0.1:3000/api/v1/search?q=a", { headers: { authorization: `Bearer ${viewer}` } }), { params: Promise.resolve({}) });
    expect(short.status).toBe(422);
    expect((await short.json()).error.message).toMatch(/at least 2 characters/);
  });
});

describe("manifest: referrers and where else", () => {
  it("lists the signature and the SBOM pushed with this digest as subject, in plain words", async () => {
    const m = await manifest(ids.a, "acme/api", "1.0");
    expect(m.digest).toBe((await skopeoInspect(a, "acme/api:1.0")).Digest);
    expect(m.referrersError).toBeUndefined();
    expect(m.referrers?.map((r) => [r.digest, r.label, r.artifactType]).sort()).toEqual([
      [sig.digest, "cosign signature", sig.artifactType],
      [sbom.digest, "SPDX SBOM", sbom.artifactType],
    ].sort());
    // a referrer is a manifest of its own repository: its page opens, as an artifact
    const s = await manifest(ids.a, "acme/api", sig.digest);
    expect(s.kind).toBe("artifact");
    expect((s.manifest as { subject: { digest: string } }).subject.digest).toBe(shared);
    // an image with nothing attached has no referrers
    expect((await manifest(ids.a, "tools/apictl", "3.0")).referrers).toEqual([]);
  });

  it("names every registry, repository and tag known to point at the same digest", async () => {
    const m = await manifest(ids.b, "mirror/api", "1.0");
    expect(m.whereElse.tags.map((p) => `${p.registryName}/${p.repository}:${p.tag}`)).toEqual([
      "search-a/acme/api:1.0", "search-a/acme/api:1.0.1", "search-a/acme/api:v1.0", "search-b/mirror/api:1.0",
    ]);
    expect(m.whereElse.tags[0].registryId).toBe(ids.a);
  });

  it("a repository holding hundreds of tags of the digest hides no other registry, and the counts are of all of them", async () => {
    // 300 more tags of the same image in one repository of registry a (a rebuild-per-commit habit)
    await db.$executeRaw`
      INSERT INTO "TagRecord" ("registryId", "repository", "tag", "digest", "firstSeenAt", "changedAt", "checkedAt")
      SELECT ${ids.a}::uuid, 'acme/nightly', 'n-' || lpad(i::text, 4, '0'), ${shared}, now(), now(), now() FROM generate_series(1, 300) i`;
    try {
      const m = await manifest(ids.b, "mirror/api", "1.0");
      expect(m.whereElse.tagCount).toBe(304);
      expect(m.whereElse.registryCount).toBe(2);
      expect(m.whereElse.tags).toHaveLength(200);
      // every repository is listed (the first 200 in name order were all registry a's)
      const groups = new Map(m.whereElse.tags.map((p) => [`${p.registryName}/${p.repository}`, p.inRepository]));
      expect(Object.fromEntries(groups)).toEqual({ "search-a/acme/api": 3, "search-a/acme/nightly": 300, "search-b/mirror/api": 1 });
      expect(m.whereElse.tags.filter((p) => p.repository === "acme/nightly").map((p) => p.tag).slice(0, 2)).toEqual(["n-0001", "n-0002"]);
    } finally {
      await db.tagRecord.deleteMany({ where: { registryId: ids.a, repository: "acme/nightly" } });
    }
  });

  it("names the index a platform manifest belongs to, and where that index is tagged", async () => {
    const child = index.manifests.find((c) => c.platform === "linux/arm64")!;
    const m = await manifest(ids.a, "acme/multi", child.digest);
    expect(m.whereElse.tags).toEqual([]);
    expect(m.whereElse.parents).toEqual([{ digest: index.digest, platform: "linux/arm64", tags: [{ registryId: ids.a, registryName: "search-a", repository: "acme/multi", tag: "1.0", inRepository: 1 }], tagCount: 1, registryCount: 1 }]);
  });
});

describe("search at 100,000 tags", () => {
  it("uses the trigram and btree indexes; prints the time per query", async () => {
    const reg = ids.a;
    await db.$executeRaw`
      INSERT INTO "TagRecord" ("registryId", "repository", "tag", "digest", "firstSeenAt", "changedAt", "checkedAt")
      SELECT ${reg}::uuid, 'bulk/repo-' || (i % 500), 'build-' || i || '-' || substr(md5(i::text), 1, 6),
             'sha256:' || md5(i::text) || md5((i * 7)::text), now(), now(), now()
      FROM generate_series(1, 100000) i`;
    await db.$executeRaw`
      INSERT INTO "RepositoryRecord" ("registryId", "name", "seenAt") SELECT ${reg}::uuid, 'bulk/repo-' || i, now() FROM generate_series(0, 499) i`;
    await db.$executeRawUnsafe(`ANALYZE "TagRecord"`);
    await db.$executeRawUnsafe(`ANALYZE "RepositoryRecord"`);
    const sample = (await db.tagRecord.findFirstOrThrow({ where: { tag: { startsWith: "build-4242-" } } }));

    const plan = async (sql: string) => (await db.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN ${sql}`)).map((r) => r["QUERY PLAN"]).join("\n");
    expect(await plan(`SELECT * FROM "TagRecord" WHERE "tag" ILIKE '%4242-%'`)).toMatch(/TagRecord_tag_trgm_idx/);
    const p = sample.digest.slice(0, 7 + 10);
    expect(await plan(`SELECT * FROM "TagRecord" WHERE "digest" >= '${p}' AND "digest" < '${p}g' AND "digest" LIKE '${p}%'`)).toMatch(/TagRecord_digest_idx/);

    const queries = { "tag, exact": sample.tag, "tag substring": "4242", "common substring": "build", "repository": "repo-42", "digest prefix": sample.digest.slice(7, 19), "repo:tag": `repo-242:${sample.tag.slice(0, 8)}` };
    const figures: Record<string, string> = {};
    for (const [name, q] of Object.entries(queries)) {
      await search(q);
      const ms: number[] = [];
      for (let i = 0; i < 15; i++) {
        const t0 = performance.now();
        const r = await search(q);
        ms.push(performance.now() - t0);
        expect(r.results.length).toBeLessThanOrEqual(50);
      }
      ms.sort((x, y) => x - y);
      figures[name] = `p50 ${ms[7].toFixed(1)} ms, max ${ms[14].toFixed(1)} ms`;
    }
    console.log("[search bench] 100,000 tags, 500 repositories:", figures);
    const hit = (await search(sample.tag)).results[0];
    expect(hit).toMatchObject({ kind: "tag", tag: sample.tag, match: "exact" });
    expect((await search(sample.digest.slice(7, 19))).results.filter((h) => h.kind === "digest").map((h) => h.digest)).toContain(sample.digest);
  });
});

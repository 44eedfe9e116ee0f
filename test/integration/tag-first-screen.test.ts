// The tag page's first screenful (issue 15): a cold repository's first rows come filled from the
// server (HEADs and one manifest read, within a budget), the table's fills share HEADs and rows
// checked lately (each tag HEADed once, whoever asks) while a check asks the registry now, and a
// second visit's first page comes from the last listing without asking the registry for its tag
// list again.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import { db } from "@/lib/db";
import { FIRST_PAGE, FIRST_SCREEN_ROWS } from "@/lib/schemas/browse";
import { forgetTagList, listTags } from "@/lib/services/browse";
import { tagDetails, withFirstScreenDetails } from "@/lib/services/tag-details";
import { recordDeletedTags } from "@/lib/services/tag-history";
import { pushImage, pushManyTags, retag, skopeoInspect, startRegistry, type RunningRegistry } from "../harness";
import { call, userWithToken } from "../support/api";

let reg: RunningRegistry;
let id: string;
// its own image (content of this run alone): ManifestInfo is shared by every test file's registries
const repo = "first/screen";
// 150 tags of one image and zz-other, another image (last by name)
const sharedRepo = "first/shared";

/** Requests the registry logged for a repository since `from`, by kind (once the log has settled). */
async function since(from: number, repository = repo) {
  const log = (await reg.settledAccessLog(from)).filter((e) => e.path.startsWith(`/v2/${repository}/`));
  return { lists: log.filter((e) => e.path.includes("/tags/list")).length, heads: log.filter((e) => e.method === "HEAD").length };
}

beforeAll(async () => {
  reg = await startRegistry({ mode: "open", name: "tag-first-screen" });
  await pushImage(reg, `${repo}:t0000`, { layers: [{ files: { "run.txt": `${Date.now()} ${Math.random()}\n` } }] });
  await pushManyTags(reg, repo, 149, "t0000", { name: (i) => `t${String(i).padStart(4, "0")}` });
  await pushImage(reg, `${sharedRepo}:t0000`, { layers: [{ files: { "shared.txt": `${Date.now()} ${Math.random()}\n` } }] });
  await pushManyTags(reg, sharedRepo, 149, "t0000", { name: (i) => `t${String(i).padStart(4, "0")}` });
  await pushImage(reg, `${sharedRepo}:zz-other`, { layers: [{ files: { "other.txt": `${Date.now()} ${Math.random()}\n` } }] });
  const admin = (await userWithToken("ADMIN")).token;
  const r = await call(collection.POST, { token: admin, method: "POST", body: { name: "tag-first-screen", kind: "GENERIC", endpoint: reg.url } });
  expect(r.status).toBe(201);
  id = r.json.id;
});

afterAll(async () => {
  await reg?.stop();
});

describe("the tag page's first screenful", () => {
  it("a cold repository: the first rows come filled (skopeo's digest), the rest stay for the table, nothing else is asked", async () => {
    const first = await listTags(id, repo, FIRST_PAGE);
    expect(first.tags.some((t) => t.digest)).toBe(false);
    const mark = (await reg.settledAccessLog()).length;
    const filled = await withFirstScreenDetails(id, repo, first, FIRST_SCREEN_ROWS, 30_000);
    expect(filled.tags.map((t) => t.name)).toEqual(first.tags.map((t) => t.name));
    const digest = (await skopeoInspect(reg, `${repo}:${first.tags[0]!.name}`)).Digest;
    for (const t of filled.tags.slice(0, FIRST_SCREEN_ROWS)) {
      expect(t.digest, t.name).toBe(digest);
      expect(t.size && t.platforms?.length && t.createdAt, t.name).toBeTruthy();
    }
    expect(filled.tags.slice(FIRST_SCREEN_ROWS).every((t) => !t.digest)).toBe(true);
    expect((await since(mark)).heads).toBe(FIRST_SCREEN_ROWS);
    // already filled: no registry request at all
    const again = (await reg.settledAccessLog()).length;
    expect(await withFirstScreenDetails(id, repo, await listTags(id, repo, FIRST_PAGE, { recent: true }), FIRST_SCREEN_ROWS, 30_000)).toBeTruthy();
    expect(await since(again)).toEqual({ lists: 0, heads: 0 });
  });

  it("a registry slower than the budget: the page goes without the details, and the work already begun is recorded", async () => {
    await db.tagRecord.deleteMany({ where: { registryId: id, repository: repo } });
    const first = await listTags(id, repo, FIRST_PAGE);
    const t0 = performance.now();
    const answer = await withFirstScreenDetails(id, repo, first, FIRST_SCREEN_ROWS, 0);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(answer.tags.every((t) => !t.digest)).toBe(true);
    await expect.poll(() => db.tagRecord.count({ where: { registryId: id, repository: repo } }), { timeout: 30_000 }).toBe(FIRST_SCREEN_ROWS);
  });

  it("a table's fills share HEADs in flight and rows checked in the last minute; a check asks the registry now", async () => {
    const names = (await listTags(id, sharedRepo)).tags.map((t) => t.name);
    const digest = (await skopeoInspect(reg, `${sharedRepo}:t0000`)).Digest;
    const other = (await skopeoInspect(reg, `${sharedRepo}:zz-other`)).Digest;
    const expected = names.map((n) => [n, n === "zz-other" ? other : digest]);
    const mark = (await reg.settledAccessLog()).length;
    // two users open the cold repository at once: their batches share each tag's HEAD
    const [a, b] = await Promise.all([tagDetails(id, sharedRepo, names, undefined, "fill"), tagDetails(id, sharedRepo, names, undefined, "fill")]);
    expect(a.tags.map((t) => [t.name, t.digest])).toEqual(expected);
    expect(b.tags.map((t) => [t.name, t.digest])).toEqual(expected);
    expect((await since(mark, sharedRepo)).heads).toBe(names.length);

    // someone moves a tag: a check (the API's default, the table's "Re-check") asks the registry now
    const moved = await retag(reg, sharedRepo, "zz-other", "t0140");
    const again = (await reg.settledAccessLog()).length;
    const checked = await tagDetails(id, sharedRepo, ["t0140", "t0141"]);
    expect(checked.tags.map((t) => t.digest)).toEqual([moved, digest]);
    expect((await since(again, sharedRepo)).heads).toBe(2);
    // past the 5 s the process remembers a HEAD, a fill still takes rows checked in the last minute
    // from PostgreSQL (another instance's, or an earlier batch's)
    await new Promise((r) => setTimeout(r, 5_500));
    const more = (await reg.settledAccessLog()).length;
    const fill = await tagDetails(id, sharedRepo, ["t0140", "t0141"], undefined, "fill");
    expect(fill.tags.map((t) => t.digest)).toEqual([moved, digest]);
    expect((await since(more, sharedRepo)).heads).toBe(0);
  });

  it("a second visit's first page comes from the last listing (no tags/list); the full list and the API's ?limit= still ask", async () => {
    const all = await listTags(id, repo);
    const mark = (await reg.settledAccessLog()).length;
    const first = await listTags(id, repo, FIRST_PAGE, { recent: true });
    expect((await since(mark)).lists).toBe(0);
    expect(first.total).toBe(all.tags.length);
    expect(first.tags.map((t) => t.name)).toEqual(all.tags.slice(0, FIRST_PAGE).map((t) => t.name));
    await listTags(id, repo, FIRST_PAGE);
    await listTags(id, repo);
    expect((await since(mark)).lists).toBe(2);
  });

  it("a tag Regatta deletes is not shown from the last listing", async () => {
    const all = await listTags(id, repo);
    const gone = all.tags[0]!.name;
    await recordDeletedTags(id, repo, [gone], all.tags[0]!.digest ?? "sha256:" + "0".repeat(64), "test");
    const mark = (await reg.settledAccessLog()).length;
    await listTags(id, repo, FIRST_PAGE, { recent: true });
    expect((await since(mark)).lists).toBe(1);
    forgetTagList(id, repo);
  });

  it("a tag deleted through a route is not shown from the page's last listing (Next bundles them apart, each with its own copy of the modules)", async () => {
    const all = await listTags(id, repo);
    vi.resetModules();
    const route = await import("@/lib/services/tag-history");
    const gone = all.tags[1]!;
    await route.recordDeletedTags(id, repo, [gone.name], gone.digest ?? "sha256:" + "0".repeat(64), "test");
    const mark = (await reg.settledAccessLog()).length;
    await listTags(id, repo, FIRST_PAGE, { recent: true });
    expect((await since(mark)).lists).toBe(1);
  });
});

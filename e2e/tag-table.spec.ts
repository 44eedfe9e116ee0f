// The tag table against a real registry: 1,500 tags fill in progressively (digests checked with
// skopeo), sort and filter, 10,000 tags scroll to the end, the second visit is complete at once,
// hygiene warnings, and overview cards with each registry's own health.
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "./fixtures";
import { FIRST_SCREEN_ROWS } from "../lib/schemas/browse";
import { pushImage, pushManyTags, retag, seedStandard, skopeoInspect, startRegistry, type RunningRegistry, type StandardSeed } from "../test/harness";
import { screenshot } from "./helpers";

let reg: RunningRegistry;
let seed: StandardSeed;
let id: string;
const run = Date.now().toString(36);
const TENK = "demo/tenk";
const SORTED = "demo/sorted";
const tenkName = (i: number) => `t${String(i).padStart(5, "0")}`;

test.beforeAll(async ({ request }) => {
  test.setTimeout(240_000);
  reg = await startRegistry({ mode: "open", name: "e2e-tag-table" });
  seed = await seedStandard(reg);
  await pushImage(reg, `${TENK}:seed`, { layers: [{ files: { "tenk.txt": "ten thousand tags\n" } }] });
  await pushManyTags(reg, TENK, 10_000, "seed", { name: tenkName, concurrency: 32 });
  // more tags than a first page, the biggest image last by name
  await pushImage(reg, `${SORTED}:t001`, { layers: [{ files: { "small.txt": "small\n" } }] });
  await pushManyTags(reg, SORTED, 120, "t001", { name: (i) => `t${String(i).padStart(3, "0")}` });
  await pushImage(reg, `${SORTED}:zz-big`, { layers: [{ files: { "big.txt": randomBytes(256 * 1024).toString("base64") } }] });
  const res = await request.post("/api/v1/registries", { data: { name: `tags-${run}`, kind: "GENERIC", endpoint: reg.url } });
  expect(res.status()).toBe(201);
  id = (await res.json()).id;
});

test.afterAll(async () => {
  await reg?.stop();
});

const row = (page: Page, tag: string) => page.locator(`[data-testid="tag-row"][data-tag="${tag}"]`);
const tagsUrl = (repository: string) => `/registries/${id}/tags?repository=${encodeURIComponent(repository)}`;

test("1,500 tags: names at once, details fill in with skopeo's digest, sort and filter", async ({ page }) => {
  test.setTimeout(90_000);
  // no server render of a tag's page nobody opened: the rows' and the size chart's links do not prefetch
  const manifestPrefetches: string[] = [];
  page.on("request", (r) => { if (/\/manifest\?.*[?&]_rsc=/.test(r.url())) manifestPrefetches.push(r.url()); });
  // the glob matcher (re2js) is not part of the page: it loads once the filter box is used
  const scripts: Promise<string>[] = [];
  page.on("response", (r) => { if (r.url().endsWith(".js")) scripts.push(r.text().catch(() => "")); });
  const re2Loaded = async () => (await Promise.all(scripts)).some((js) => js.includes("FOLD_CASE"));
  // nor of the header's pages (a server render each, twice per page view, while the table fills)
  const headerPrefetches: string[] = [];
  page.on("request", (r) => { if (r.headers()["next-router-prefetch"] && /^\/(audit|promotions|pipeline|settings)/.test(new URL(r.url()).pathname)) headerPrefetches.push(r.url()); });
  const mark = (await reg.settledAccessLog()).length;
  await page.goto(tagsUrl("demo/many"));
  await expect(page.getByTestId("tag-count")).toHaveText("1500 of 1500 tags");
  const progress = page.getByTestId("details-progress");
  // nothing animates while the rows fill (an animation keeps the browser painting every frame: ten
  // such tables used 52 s of one machine's CPU instead of 14); the bar moves as rows arrive
  await expect(page.getByTestId("details-bar")).toBeVisible();
  expect(await page.evaluate(() => document.getAnimations().filter((a) => a.playState === "running").map((a) => (a.effect as KeyframeEffect | null)?.target?.className))).toEqual([]);
  await expect(progress).toHaveAttribute("data-state", "done", { timeout: 30_000 });
  expect(manifestPrefetches).toEqual([]);
  expect(headerPrefetches).toEqual([]);
  // the count is of the rows that lacked details when the list came: the page's server may have
  // filled the first screenful already (FIRST_SCREEN_ROWS); every row is checked below and by the bench
  const [filled, lacking] = ((await progress.textContent()) ?? "").match(/details (\d+)\/(\d+)/)!.slice(1).map(Number);
  expect(filled).toBe(lacking);
  expect(lacking).toBeGreaterThanOrEqual(1500 - FIRST_SCREEN_ROWS);
  // the page's server (its first screen) and the table's requests share their HEADs: each tag asked
  // of the registry once
  const heads = (await reg.settledAccessLog(mark)).filter((e) => e.method === "HEAD" && e.path.startsWith("/v2/demo/many/manifests/"));
  expect(heads.length).toBe(1500);

  const digest = (await skopeoInspect(reg, "demo/many:v0001")).Digest as string;
  for (const tag of ["v0001", "v0002", "v0017"]) {
    const r = row(page, tag);
    await expect(r.locator('[data-col="digest"]')).toContainText(digest.slice(7, 19));
    await expect(r.locator('[data-col="kind"]')).toHaveText("image");
    await expect(r.locator('[data-col="platforms"]')).toHaveText("linux/amd64");
    await expect(r.locator('[data-col="size"]')).toHaveText(/\d+ (B|KiB)/);
    await expect(r.locator('[data-col="created"]')).toHaveText(/^(just now|\d+ (min|h|d) ago|\d{4}-\d\d-\d\d)$/); // the app's one date format (components/time.tsx)
    await expect(r.getByTestId("shared")).toHaveText("×1500");
  }
  await screenshot(page, "tags");

  // sort by tag, descending: version order puts v1500 first
  await page.getByTestId("sort-name").click();
  await expect(page.getByRole("row").nth(1)).toHaveAttribute("data-tag", "v1500");
  await page.getByTestId("sort-name").click();
  await expect(page.getByRole("row").nth(1)).toHaveAttribute("data-tag", "v0001");

  expect(await re2Loaded(), "re2js loaded before the filter was used").toBe(false);
  await page.getByLabel("Filter tags").fill("v00?5");
  await expect(page.getByTestId("tag-count")).toHaveText("10 of 1500 tags");
  expect(await re2Loaded()).toBe(true);
  await page.getByLabel("Filter tags").fill("149");
  await expect(page.getByTestId("tag-count")).toHaveText("12 of 1500 tags"); // v0149, v1149, v1490 … v1499
});

test("shared digests marked, version-aware sort, links to the manifest, latest behind the highest version warned", async ({ page }) => {
  await page.goto(tagsUrl("demo/app"));
  await expect(page.getByTestId("details-progress")).toHaveAttribute("data-state", "done");
  await expect(row(page, "1.1.0").getByTestId("shared")).toHaveText("= latest");
  await expect(row(page, "1.0.0").getByTestId("shared")).toHaveCount(0);
  await expect(page.getByTestId("hygiene")).toHaveCount(0);

  await page.getByTestId("sort-size").click();
  await expect(page.getByRole("columnheader", { name: /Size/ })).toHaveAttribute("aria-sort", "descending");

  // someone moves latest back; "Re-check" HEADs every tag again and sees it
  await retag(reg, "demo/app", "1.0.0", "latest");
  await page.getByRole("button", { name: "Re-check" }).click();
  await expect(page.getByTestId("hygiene")).toContainText("not the highest version 1.1.0", { timeout: 15_000 });
  await expect(row(page, "1.0.0").getByTestId("shared")).toHaveText("= latest");
  await screenshot(page, "tags-hygiene");

  await row(page, "1.1.0").getByRole("link", { name: "1.1.0" }).click();
  await expect(page).toHaveURL(/\/manifest\?repository=demo%2Fapp&reference=1\.1\.0/);
  await expect(page.getByTestId("digest")).toHaveText(seed.digests["demo/app:1.1.0"]);
});

test("10,000 tags: scroll to the last one, sort by pushed date; the second visit is complete at once", async ({ page }) => {
  // filling 10,000 rows' details is 10,000 registry HEADs: 45 s alone, over 60 s beside the other lane
  test.setTimeout(300_000);
  const isDetails = (r: { url(): string; method(): string }) => r.method() === "POST" && r.url().includes("/tags/details");
  const firstBatch = page.waitForRequest(isDetails);
  await page.goto(tagsUrl(TENK));
  await expect(page.getByTestId("tag-count")).toHaveText("10001 of 10001 tags");
  // the rows on screen come first: filled by the page's server (in the HTML when within its budget,
  // else recorded before the whole list was read), or else asked for first, alone (a screenful, not
  // the first 200 of the list); a row on screen that lacked details would be in that first request
  const first = (await firstBatch).postDataJSON() as { tags: string[] };
  if (first.tags.includes(tenkName(1))) expect(first.tags.length).toBeLessThanOrEqual(60);
  else await expect(row(page, tenkName(1)).locator('[data-col="size"]'), "filled by the page's server").toHaveText(/\d/);
  // scrolled to the end while the details fill in: the next batches start with the rows now on screen
  const lastAsked = page.waitForRequest((r) => isDetails(r) && (r.postDataJSON() as { tags: string[] }).tags.includes(tenkName(10_000)));
  await page.getByTestId("tags").evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await lastAsked;
  await expect(row(page, tenkName(10_000)).locator('[data-col="size"]')).toHaveText(/\d/);
  const [done, total] = ((await page.getByTestId("details-progress").textContent()) ?? "").match(/details (\d+)\/(\d+)/)!.slice(1).map(Number);
  expect(done, "the last row was filled long before the rest").toBeLessThan(total! / 2);
  await expect(page.getByTestId("details-progress")).toHaveAttribute("data-state", "done", { timeout: 180_000 });
  // only the visible rows are in the DOM
  expect(await page.getByTestId("tag-row").count()).toBeLessThan(100);
  await page.getByTestId("tags").evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(row(page, tenkName(10_000))).toBeVisible();
  await expect(row(page, tenkName(10_000)).locator('[data-col="size"]')).toHaveText(/\d/);
  await screenshot(page, "tags-10k");

  await page.getByTestId("sort-pushedAt").click();
  await expect(page.getByRole("columnheader", { name: /Pushed/ })).toHaveAttribute("aria-sort", "descending");

  // the sort is in the URL: a reload keeps it
  await page.reload();
  await expect(page.getByRole("columnheader", { name: /Pushed/ })).toHaveAttribute("aria-sort", "descending");
  // second visit (the plain link, name order): every column from PostgreSQL with the list, nothing left to fetch
  await page.goto(tagsUrl(TENK));
  await expect(page.getByTestId("tag-count")).toHaveText("10001 of 10001 tags");
  await expect(page.getByTestId("details-progress")).toContainText("every row known"); // no "details 0/0"
  await expect(row(page, tenkName(1)).locator('[data-col="platforms"]')).toHaveText("linux/amd64");
});

test("a sorted table shows the first rows of that order before its whole list has arrived", async ({ page }) => {
  test.setTimeout(90_000);
  // a first visit fills PostgreSQL with every row's details (what the server sorts by)
  await page.goto(tagsUrl(SORTED));
  await expect(page.getByTestId("details-progress")).toHaveAttribute("data-state", "done", { timeout: 60_000 });
  // the whole list is held back: what shows comes from the page's HTML and the first-page answers
  let release = () => {};
  const held = new Promise<void>((r) => { release = r; });
  await page.route((url) => url.pathname.startsWith("/api/v1/") && url.pathname.endsWith("/tags") && url.searchParams.get("repository") === SORTED && !url.searchParams.has("limit"), async (route) => {
    await held;
    await route.continue();
  });
  const firstRow = page.getByTestId("tag-row").first();
  // a reload of a table sorted by size: the biggest image first, from the HTML, though it is last by name
  await page.goto(`${tagsUrl(SORTED)}&sort=-size`);
  await expect(firstRow).toHaveAttribute("data-tag", "zz-big");
  await expect(page.getByRole("columnheader", { name: /Size/ })).toHaveAttribute("aria-sort", "descending");
  await expect(page.getByTestId("tag-count-loading")).toHaveText("first 100 of 121 tags by size, loading the rest…");
  await screenshot(page, "tags-sorted-first-page");
  // a sort chosen now asks the server for that order's first rows: smallest first
  await page.getByTestId("sort-size").click();
  await expect(page.getByRole("columnheader", { name: /Size/ })).toHaveAttribute("aria-sort", "ascending");
  await expect(firstRow).toHaveAttribute("data-tag", "t001"); // the small images tie: by name
  await expect(page.getByTestId("tag-row").filter({ hasText: "zz-big" })).toHaveCount(0);
  await page.getByTestId("sort-name").click();
  await expect(page.getByRole("columnheader", { name: /^Tag/ })).toHaveAttribute("aria-sort", "ascending");
  await expect(firstRow).toHaveAttribute("data-tag", "t001");
  await expect(page).toHaveURL(/\?repository=demo%2Fsorted$/);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId("sort-size").click();
  await expect(firstRow).toHaveAttribute("data-tag", "zz-big");
  await screenshot(page, "tags-sorted-first-page-phone");
  // the whole list arrives: the same order, every row
  release();
  await expect(page.getByTestId("tag-count")).toHaveText("121 of 121 tags");
  await expect(firstRow).toHaveAttribute("data-tag", "zz-big");
  await expect(page.getByRole("columnheader", { name: /Size/ })).toHaveAttribute("aria-sort", "descending");
});

test("overview: each card shows its registry's health and counts; a dead registry's error stays on its card", async ({ page }) => {
  const victim = await startRegistry({ mode: "open", name: "e2e-tags-victim" });
  const res = await page.request.post("/api/v1/registries", { data: { name: `tags-victim-${run}`, kind: "GENERIC", endpoint: victim.url } });
  expect(res.status()).toBe(201);
  await victim.stop();
  await page.goto(`/registries/${id}`);
  await expect(page.getByTestId("repositories")).toContainText("demo/many");
  await page.goto("/");
  const good = page.getByTestId("registry-card").filter({ hasText: `tags-${run}` });
  await expect(good.getByTestId("health")).toHaveAttribute("data-state", "ok");
  await expect(good.getByTestId("latency")).toHaveText(/^\d+ ms$/);
  await expect(good.getByTestId("counts")).toContainText("6 repositories");
  // the tag counts are written when a repository's tags are listed (after the answer): reload until they show
  await expect(async () => {
    await page.reload();
    await expect(good.getByTestId("counts")).toContainText("tags", { timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  const dead = page.getByTestId("registry-card").filter({ hasText: `tags-victim-${run}` });
  await expect(dead.getByTestId("health")).toHaveAttribute("data-state", "down");
  await expect(dead.getByTestId("health")).toContainText(victim.host);
  await screenshot(page, "overview");
});

test("while rows fill, a shared-digest count says it is of the rows filled so far (×24+), then the whole count", async ({ page }) => {
  const repo = `demo/shared-${run}`;
  await pushImage(reg, `${repo}:s001`, { layers: [{ files: { "shared.txt": "one image, many tags\n" } }] });
  await pushManyTags(reg, repo, 80, "s001", { name: (i) => `s${String(i).padStart(3, "0")}` });
  // the table's own detail requests wait; the page's server fills the first screen
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route("**/tags/details", async (route) => { await held; await route.continue().catch(() => {}); });
  await page.goto(tagsUrl(repo));
  const marker = row(page, "s001").getByTestId("shared");
  await expect(marker).toHaveText(/^×\d+\+$/);
  expect(await marker.getAttribute("title")).toContain("(of the rows filled so far)");
  release();
  await expect(page.getByTestId("details-progress")).toHaveAttribute("data-state", "done", { timeout: 30_000 });
  await expect(marker).toHaveText("×80"); // s001 … s080
});

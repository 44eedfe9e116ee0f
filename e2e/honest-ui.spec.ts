// Issue 16, "misleading or broken": each check here failed before its fix. Real registry:2
// processes (one seeded with the standard plan: an index, 1,500 tags on one digest), one with a
// password Regatta does not know, one that posts its notifications to Regatta, and the Docker Hub
// stand-in for the pull budget.
import { expect, test, type Page } from "./fixtures";
import { MANIFEST_ACCEPT, buildImage, pushImage, seedStandard, skopeoListTags, startRegistry, type RunningRegistry, type StandardSeed } from "../test/harness";
import { startDockerHub } from "../test/harness/vendors/dockerhub";
import { formatBytes } from "../components/format";
import { ADMIN } from "./global-setup";
import { gotoManifest, planPromotion, screenshot } from "./helpers";

let open: RunningRegistry;
let basic: RunningRegistry;
let seed: StandardSeed;
const ids: Record<string, string> = {};
const run = Date.now().toString(36);
const OPEN = `honest-${run}`;
const REFUSED = `refused-${run}`;

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  [open, basic] = await Promise.all([startRegistry({ mode: "open", name: "honest-open" }), startRegistry({ mode: "htpasswd", name: "honest-basic" })]);
  seed = await seedStandard(open);
  const add = async (key: string, data: object) => {
    const res = await request.post("/api/v1/registries", { data });
    expect(res.status()).toBe(201);
    ids[key] = (await res.json()).id;
  };
  await add("open", { name: OPEN, kind: "GENERIC", endpoint: open.url });
  // the right user, a wrong password: every request to it is refused with 401
  await add("refused", { name: REFUSED, kind: "GENERIC", endpoint: basic.url, credentials: { username: basic.username, password: "not-the-password" } });
});

test.afterAll(async () => {
  await Promise.all([open?.stop(), basic?.stop()]);
});

const tagsPage = (page: Page, repository: string) => page.goto(`/registries/${ids.open}/tags?repository=${encodeURIComponent(repository)}`);
const row = (page: Page, tag: string) => page.locator(`[data-testid="tag-row"][data-tag="${tag}"]`);

/** Records what the page copies instead of touching the system clipboard. */
async function recordClipboard(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __copied: string[] };
    w.__copied = [];
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText: async (t: string) => { w.__copied.push(t); } } });
  });
  return async () => page.evaluate(() => (window as unknown as { __copied: string[] }).__copied);
}

test("1. a registry:2 tag says when Regatta first saw it, not that it was pushed then", async ({ page }) => {
  await tagsPage(page, "demo/app");
  await expect(page.getByTestId("details-progress")).toHaveAttribute("data-state", "done", { timeout: 20_000 });
  const pushed = row(page, "1.0.0").locator('[data-col="pushed"]');
  await expect(pushed).toContainText(/first seen/i);
  await expect(pushed).not.toHaveText(/^(just now|\d+ (min|h|d) ago|\d{4}-\d\d-\d\d)$/);
  await expect(pushed).toHaveAttribute("title", /^first seen by Regatta at .+the registry did not say when this tag was pushed/);
  await expect(page.getByRole("columnheader", { name: /first seen/i })).toBeVisible();
  await screenshot(page, "tags-first-seen");
});

test("2. the plan finds what will fail (refused target credentials) and Promote says why it is disabled; the plan speaks in the future tense", async ({ page }) => {
  await gotoManifest(page, ids.open, "demo/app", "1.0.0");
  let dialog = await planPromotion(page, { registry: REFUSED, repository: "release/app", tag: "1.0.0" });
  await expect(dialog.getByTestId("promote-blocked")).toContainText("Promote is not possible");
  await expect(dialog.getByTestId("promote-blocked")).toContainText(/401|UNAUTHORIZED|authentication/i);
  await expect(dialog.getByRole("button", { name: "Promote", exact: true })).toBeDisabled();
  await screenshot(page, "promote-plan-refused");
  await dialog.getByRole("button", { name: "Close" }).click();

  dialog = await planPromotion(page, { registry: OPEN, repository: "plan/app", tag: "1.0.0" });
  await expect(dialog.getByTestId("plan")).toContainText("1 manifest will be written");
  await expect(dialog.getByRole("button", { name: "Promote", exact: true })).toBeEnabled();
});

test("3. delete asks in an in-page dialog that names every tag going with the digest and wants the digest typed", async ({ page }) => {
  const native: string[] = [];
  page.on("dialog", (d) => { native.push(d.message()); void d.dismiss(); });
  const image = await buildImage({ labels: { del: run } });
  const digest = await pushImage(open, `demo/del:a-${run}`, image);
  await pushImage(open, `demo/del:b-${run}`, image);
  await gotoManifest(page, ids.open, "demo/del", `a-${run}`);
  await page.getByRole("button", { name: "Delete…" }).click();
  const dialog = page.getByRole("dialog", { name: /Delete/ });
  await expect(dialog).toBeVisible();
  expect(native, "no browser confirm()").toEqual([]);
  await expect(dialog.getByTestId("delete-tags")).toContainText(`a-${run}`);
  await expect(dialog.getByTestId("delete-tags")).toContainText(`b-${run}`);
  const remove = dialog.getByRole("button", { name: /^Delete/ });
  await expect(remove).toBeDisabled();
  // the tag name alone does not confirm a delete that takes another tag too
  await dialog.getByLabel(/Type the digest/).fill(`a-${run}`);
  await expect(remove).toBeDisabled();
  await dialog.getByLabel(/Type the digest/).fill(digest);
  await screenshot(page, "delete-dialog");
  await expect(remove).toBeEnabled();
  await remove.click();
  await expect(page).toHaveURL(/\/tags\?repository=demo%2Fdel/);
  const left = await skopeoListTags(open, "demo/del").catch(() => [] as string[]);
  expect(left).not.toContain(`a-${run}`);
  expect(left).not.toContain(`b-${run}`);
});

test("4. the promote dialog is modal: focus stays inside, Escape closes it, focus returns", async ({ page }) => {
  await gotoManifest(page, ids.open, "demo/app", "1.0.0");
  const opener = page.getByRole("button", { name: "Promote…" });
  await opener.click();
  const dialog = page.getByRole("dialog", { name: "Promote" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute("aria-modal", "true");
  for (let i = 0; i < 15; i++) {
    await page.keyboard.press("Tab");
    expect(await dialog.evaluate((d) => d.contains(document.activeElement)), `focus inside the dialog after ${i + 1} Tab`).toBe(true);
  }
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
});

test("5. every pull command copied names its tag", async ({ page }) => {
  const copied = await recordClipboard(page);
  await tagsPage(page, "demo/app");
  await expect(row(page, "1.0.0")).toBeVisible();
  // every Copy outside the rows (the old one beside the docker pull line copied no tag = :latest)
  for (const b of await page.getByRole("button", { name: "Copy", exact: true }).all()) await b.click();
  await row(page, "1.0.0").getByRole("button", { name: "Copy pull" }).click();
  let pulls = (await copied()).filter((t) => t.startsWith("docker pull"));
  expect(pulls.at(-1)).toBe(`docker pull ${open.host}/demo/app:1.0.0`);
  for (const t of pulls) expect(t, "a pull command without a tag pulls :latest").toMatch(/^docker pull [^/]+\/[^:@]+[:@][^/]+$/);
  // the tag page offers the pull command of its tag
  await gotoManifest(page, ids.open, "demo/app", "1.0.0");
  await expect(page.getByTestId("pull-tag")).toHaveText(`docker pull ${open.host}/demo/app:1.0.0`);
  await page.getByTestId("pull-tag").locator("..").getByRole("button", { name: "Copy" }).click();
  pulls = (await copied()).filter((t) => t.startsWith("docker pull"));
  expect(pulls).toEqual([`docker pull ${open.host}/demo/app:1.0.0`]);
});

test("6. where else gives the true count of 1,500 tags and a compact, expandable list", async ({ page }) => {
  test.setTimeout(120_000);
  await tagsPage(page, "demo/many");
  await expect(page.getByTestId("details-progress")).toHaveAttribute("data-state", "done", { timeout: 60_000 });
  await gotoManifest(page, ids.open, "demo/many", "v0001");
  const where = page.getByTestId("where-else");
  // other specs' registries hold the same seeded image: the heading counts them too, each listed
  const heading = (await where.getByRole("heading").textContent()) ?? "";
  const [, tags, registries] = heading.match(/([\d,]+) tags in (\d+) registr(?:y|ies) point at this digest/)!;
  const rows = where.getByTestId("where-else-row");
  expect(Number(tags.replaceAll(",", ""))).toBeGreaterThanOrEqual(1500);
  expect(new Set(await rows.locator("td:first-child").allTextContents()).size).toBe(Number(registries));
  const mine = rows.filter({ hasText: "this repository" });
  await expect(mine.locator("a", { hasText: /^v\d{4}$/ })).toHaveCount(6);
  const more = mine.getByTestId("where-else-more");
  await expect(more).toHaveText("… and 1,494 more");
  await screenshot(page, "where-else-compact");
  const desktop = page.viewportSize()!;
  await page.setViewportSize({ width: 390, height: 844 });
  // on a phone the tags sit under their registry and repository, on the screen (not beyond its right edge)
  const chip = await mine.locator("a", { hasText: /^v\d{4}$/ }).first().boundingBox();
  expect(chip!.x + chip!.width).toBeLessThanOrEqual(390);
  await screenshot(page, "where-else-compact-phone");
  await page.setViewportSize(desktop);
  await more.click();
  // its listed tags, then the true rest (up to 200 are listed across every repository)
  const listed = await mine.locator("a", { hasText: /^v\d{4}$/ }).count();
  expect(listed).toBeGreaterThan(6);
  await expect(mine.getByTestId("where-else-more")).toHaveText(`and ${(1500 - listed).toLocaleString("en")} more in the tag table`);
});

test("7. Regatta's own retag shows once in recent activity: who, through Regatta (the registry's event of it folds in)", async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const created = await page.request.post("/api/v1/registries", { data: { name: `hooked-${run}`, kind: "GENERIC", endpoint: "http://127.0.0.1:9" } });
  const id = (await created.json()).id as string;
  const { secret } = await (await page.request.post(`/api/v1/registries/${id}/webhook`)).json();
  const hooked = await startRegistry({ mode: "open", name: "honest-hooked", notifications: { url: `${baseURL}/api/v1/webhooks/registry/${id}`, headers: { Authorization: `Bearer ${secret}` }, ignoredMediaTypes: ["application/octet-stream"] } });
  try {
    expect((await page.request.patch(`/api/v1/registries/${id}`, { data: { endpoint: hooked.url } })).status()).toBe(200);
    const digest = await pushImage(hooked, "team/api:1.0", { labels: { run } });
    const res = await page.request.post("/api/v1/promotions", { data: { source: { registryId: id, repository: "team/api", reference: "1.0" }, target: { registryId: id, repository: "team/api", tag: `x-${run}` } } });
    expect(res.status()).toBe(200);
    // the registry reports the push of Regatta's retag: wait until it is in the log
    await expect.poll(async () => {
      const r = await page.request.get(`/api/v1/audit?registryId=${id}&action=registry.push&tag=x-${run}`);
      return ((await r.json()).events as unknown[]).length;
    }, { timeout: 20_000 }).toBe(1);
    await page.goto("/");
    const lines = page.getByTestId("activity-item").filter({ hasText: `team/api:x-${run}` });
    await expect(lines).toHaveCount(1);
    await expect(lines).toContainText(`${ADMIN.email} retagged`);
    await expect(lines.getByTestId("through-regatta")).toHaveText("through Regatta");
    await expect(lines).toContainText(digest.slice(7, 19));
    await screenshot(page, "overview-activity");
  } finally {
    await hooked.stop();
  }
});

test("8. the promotions list names the tag the person chose, not the digest it was pinned to", async ({ page }) => {
  await gotoManifest(page, ids.open, "demo/app", "1.0.0");
  const dialog = await planPromotion(page, { registry: OPEN, repository: "listed/app", tag: "1.0.0" });
  await expect(dialog.getByTestId("plan")).toBeVisible();
  await dialog.getByRole("button", { name: "Promote", exact: true }).click();
  await expect(dialog.getByTestId("promotion-state")).toHaveText("succeeded", { timeout: 30_000 });
  await page.goto("/promotions");
  const source = page.getByTestId("promotion-source").first();
  await expect(source).toContainText(`${OPEN}/demo/app:1.0.0`);
  await expect(source).not.toContainText("demo/app:sha256:");
  await screenshot(page, "promotions");
});

test("10. bulk promote above 500 rows says why instead of disappearing", async ({ page }) => {
  await tagsPage(page, "demo/many");
  await expect(page.getByTestId("tag-count")).toHaveText("1500 of 1500 tags", { timeout: 30_000 });
  const bulk = page.getByRole("button", { name: /^Promote all 1,500/ });
  await expect(bulk).toBeVisible();
  await expect(bulk).toBeDisabled();
  await expect(page.getByTestId("bulk-limit")).toContainText("up to 500 tags");
  await page.getByLabel("Filter tags").fill("v14");
  await expect(page.getByRole("button", { name: /^Promote these 100/ })).toBeEnabled();
  await expect(page.getByTestId("bulk-limit")).toHaveCount(0);
});

test("11. an index's platforms show their image sizes, not their manifest bytes", async ({ page }) => {
  const index = await (await fetch(`${open.url}/v2/demo/multi/manifests/1.0`, { headers: { accept: MANIFEST_ACCEPT } })).json() as { manifests: { digest: string; size: number }[] };
  await gotoManifest(page, ids.open, "demo/multi", "1.0");
  const cells = page.getByTestId("children").getByTestId("child-size");
  await expect(cells).toHaveCount(index.manifests.length);
  for (const [i, child] of index.manifests.entries()) {
    const m = await (await fetch(`${open.url}/v2/demo/multi/manifests/${child.digest}`, { headers: { accept: MANIFEST_ACCEPT } })).json() as { config: { size: number }; layers: { size: number }[] };
    const image = m.config.size + m.layers.reduce((s, l) => s + l.size, 0);
    await expect(cells.nth(i)).toHaveText(formatBytes(image));
    expect(formatBytes(image)).not.toBe(formatBytes(child.size));
  }
  await screenshot(page, "index-platform-sizes");
});

test("12. overview cards say plainly what is wrong: a refused connection once, in words; a Docker Hub with no pulls left is not green", async ({ page }) => {
  test.setTimeout(120_000);
  const victim = await startRegistry({ mode: "open", name: "honest-victim" });
  await page.request.post("/api/v1/registries", { data: { name: `victim-${run}`, kind: "GENERIC", endpoint: victim.url } });
  await victim.stop();
  const backing = await startRegistry({ mode: "token", name: "honest-hub" });
  const PAT = "dckr_pat_honest_0123456789";
  const hub = await startDockerHub({ registry: backing, users: { alice: { password: "alice-hub-password", pats: { [PAT]: "delete" }, orgs: ["acme"] } } });
  // what Docker Hub's documented budget check asks for (a HEAD of ratelimitpreview/test:latest)
  await pushImage(backing, "ratelimitpreview/test:latest", {});
  try {
    await page.request.post("/api/v1/registries", { data: { name: `hub-${run}`, kind: "DOCKERHUB", endpoint: hub.registryUrl, apiEndpoint: hub.hubUrl, namespace: "acme", credentials: { username: "alice", password: PAT } } });
    hub.force429({ retryAfterSeconds: 1800 });
    await page.goto("/");
    const dead = page.getByTestId("registry-card").filter({ hasText: `victim-${run}` }).getByTestId("health");
    await expect(dead).toHaveAttribute("data-state", "down");
    await expect(dead).toContainText(`${victim.host} refused the connection.`);
    await expect(dead).toContainText("Check that it is running");
    expect(await dead.innerText()).not.toContain("ECONNREFUSED");
    const budgetCard = page.getByTestId("registry-card").filter({ hasText: `hub-${run}` });
    await expect(budgetCard.getByTestId("rate-limit")).toHaveAttribute("data-state", "limited");
    await expect(budgetCard.getByTestId("health")).toHaveAttribute("data-state", "limited");
    await expect(budgetCard.getByTestId("health")).toContainText("pull limit reached");
    await screenshot(page, "overview-health");
  } finally {
    hub.force429(null);
    await hub.stop();
    await backing.stop();
  }
});

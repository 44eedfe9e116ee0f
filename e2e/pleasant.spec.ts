// Make it pleasant: table state in the URL survives a reload, an error keeps the last data on
// screen with its age and Retry fetches again, and the pipeline matrix promotes to the next stage.
import { expect, test } from "./fixtures";
import { pushImage, skopeoInspect, startRegistry, type RunningRegistry } from "../test/harness";
import { screenshot } from "./helpers";

let reg: RunningRegistry;
let id = "";
const run = Date.now().toString(36);
const digests: Record<string, string> = {};

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  reg = await startRegistry({ mode: "open", name: "e2e-pleasant" });
  for (const [tag, bytes] of [["1.0.0", 10], ["1.1.0", 3000], ["2.0.0", 200]] as const) {
    digests[tag] = await pushImage(reg, `pl/app:${tag}`, { layers: [{ files: { "data.txt": `${tag}\n`.repeat(bytes) } }] });
  }
  const res = await request.post("/api/v1/registries", { data: { name: `pleasant-${run}`, kind: "GENERIC", endpoint: reg.url } });
  expect(res.status()).toBe(201);
  id = (await res.json()).id;
});

test.afterAll(async () => {
  await reg?.stop();
});

test("the tag table's filter, sort and columns are in the URL: a reload (or a shared link) keeps them", async ({ page }) => {
  await page.goto(`/registries/${id}/tags?repository=pl/app`);
  await expect(page.getByTestId("tag-count")).toHaveText("3 of 3 tags", { timeout: 30_000 });
  await page.getByLabel("Filter tags").fill("1.*");
  await expect(page.getByTestId("tag-count")).toHaveText("2 of 3 tags");
  await expect(page.getByTestId("details-progress")).toHaveAttribute("data-state", "done", { timeout: 20_000 });
  await page.getByTestId("sort-size").click();
  await page.getByTestId("columns").locator("summary").click();
  await page.getByTestId("columns").getByLabel("Kind").uncheck();
  await expect(page).toHaveURL(/q=1\.\*/);
  await expect(page).toHaveURL(/sort=-size/);

  await page.reload();
  await expect(page.getByLabel("Filter tags")).toHaveValue("1.*");
  await expect(page.getByTestId("tag-count")).toHaveText("2 of 3 tags", { timeout: 30_000 });
  await expect(page.getByRole("columnheader", { name: /Size/ })).toHaveAttribute("aria-sort", "descending");
  await expect(page.getByTestId("details-progress")).toHaveAttribute("data-state", "done", { timeout: 20_000 });
  await expect(page.getByRole("columnheader", { name: "Kind" })).toBeHidden();
  await expect(page.getByRole("columnheader", { name: "Digest" })).toBeVisible();
  // the biggest first: 1.1.0 above 1.0.0
  await expect(page.getByTestId("tag-row").first()).toHaveAttribute("data-tag", "1.1.0");
});

// (into its own repository: pl/app is the pipeline's first stage, whose tags are the matrix's versions)
test("promotions: filters live in the URL; an error keeps the list on screen with its age, and Retry fetches again", async ({ page }) => {
  test.setTimeout(90_000);
  const p = await page.request.post("/api/v1/promotions", { data: { source: { registryId: id, repository: "pl/app", reference: "1.0.0" }, target: { registryId: id, repository: "pl/copies", tag: `copy-${run}` } } });
  expect(p.status()).toBeLessThan(300);
  await page.goto("/promotions");
  await page.getByLabel("Registry (source or target)").selectOption({ label: `pleasant-${run}` });
  await expect(page).toHaveURL(new RegExp(`registry=${id}`));
  await page.reload();
  await expect(page.getByLabel("Registry (source or target)")).toHaveValue(id);
  const row = page.getByTestId("promotion-row").filter({ hasText: `copy-${run}` });
  await expect(row).toHaveAttribute("data-state", "succeeded", { timeout: 30_000 });
  await expect(page.getByTestId("promotion-target").filter({ hasText: `copy-${run}` })).toHaveAttribute("href", new RegExp(`/registries/${id}/manifest\\?repository=pl%2Fcopies&reference=copy-${run}`));

  // the server goes away: the list stays, the error says what happened, how old the list is, and offers Retry
  let down = true;
  await page.route("**/api/v1/promotions", (route) => (down ? route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ error: { code: "UNAVAILABLE", message: "the server is restarting" } }) }) : route.fallback()));
  const error = page.getByTestId("error");
  await expect(error).toContainText("Regatta's server failed to answer", { timeout: 30_000 });
  await expect(error.getByTestId("stale-age")).toContainText(/Showing data from (just now|\d+ min ago)/);
  await expect(row).toBeVisible();
  await screenshot(page, "promotions-stale-error");
  down = false;
  await error.getByRole("button", { name: "Retry" }).click();
  await expect(error).toBeHidden();
  await expect(row).toBeVisible();
});

test("the pipeline matrix: versions × stages, protected stage marked, one click promotes to the next stage", async ({ page }) => {
  const created: string[] = [];
  let rule = "";
  try {
    for (const [name, position, repository] of [[`dev-${run}`, 0, "pl/app"], [`prod-${run}`, 1, "pl/prod"]] as const) {
      const res = await page.request.post("/api/v1/environments", { data: { name, position, registryId: id, repository } });
      expect(res.status()).toBe(201);
      created.push((await res.json()).id);
    }
    const r = await page.request.post("/api/v1/protection-rules", { data: { registryId: id, repositoryGlob: "pl/prod", tagGlob: "9.*", minRole: "ADMIN", reason: `prod 9.x needs an admin ${run}` } });
    expect(r.status()).toBe(201);
    rule = (await r.json()).id;

    await page.goto("/pipeline");
    const matrix = page.getByTestId("pipeline-matrix");
    await expect(matrix.getByTestId("pipeline-row")).toHaveCount(3, { timeout: 30_000 });
    // newest version first
    await expect(matrix.getByTestId("pipeline-row").first()).toHaveAttribute("data-version", "2.0.0");
    await expect(matrix.getByTestId("stage-header").filter({ hasText: `prod-${run}` }).getByTestId("stage-protected")).toBeVisible();
    const cell = (v: string, stage: string) => matrix.locator(`[data-testid="pipeline-row"][data-version="${v}"] [data-stage="${stage}"]`);
    await expect(cell("1.1.0", `dev-${run}`).getByTestId("cell-digest")).toBeVisible();
    await expect(cell("1.1.0", `prod-${run}`)).toContainText("–");
    await screenshot(page, "pipeline-matrix");

    await cell("1.1.0", `prod-${run}`).getByRole("button", { name: `Promote 1.1.0 from dev-${run} to prod-${run}` }).click();
    await expect(cell("1.1.0", `prod-${run}`).getByTestId("cell-digest")).toContainText("✓", { timeout: 30_000 });
    expect((await skopeoInspect(reg, "pl/prod:1.1.0")).Digest).toBe(digests["1.1.0"]);
    await page.reload();
    await expect(cell("1.1.0", `prod-${run}`).getByTestId("cell-digest")).toContainText("✓", { timeout: 30_000 });
    await expect(cell("2.0.0", `prod-${run}`).getByTestId("promote-next")).toBeVisible();
  } finally {
    for (const e of created) await page.request.delete(`/api/v1/environments/${e}`);
    if (rule) await page.request.delete(`/api/v1/protection-rules/${rule}`);
  }
});

test("pictures: the overview's summary strip and per-registry activity, layer sizes as bars, an image's size across its tags", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("overview-summary")).toBeVisible({ timeout: 30_000 });
  const summary = page.getByTestId("overview-summary");
  await expect(summary.getByTestId("summary-up")).not.toContainText("checking", { timeout: 30_000 });
  await expect(summary.getByTestId("summary-promotions")).toContainText(/promotions? running · \d+ today/);
  const card = page.getByTestId("registry-card").filter({ hasText: `pleasant-${run}` });
  // the promotion of the second test counts for this registry
  await expect(card.getByTestId("registry-activity").getByRole("img")).toHaveAttribute("aria-label", /[1-9]\d* promotions? in the last 14 days/);

  await page.goto(`/registries/${id}/manifest?repository=pl/app&reference=1.1.0`);
  await expect(page.getByTestId("layers").getByTestId("size-bar")).toHaveCount(1);

  await page.goto(`/registries/${id}/tags?repository=pl/app`);
  await expect(page.getByTestId("details-progress")).toHaveAttribute("data-state", "done", { timeout: 20_000 });
  const sizes = page.getByTestId("tag-sizes");
  await expect(sizes.getByTestId("size-bar").filter({ hasText: "2.0.0" })).toBeVisible();
  await expect(sizes.getByTestId("size-bar").filter({ hasText: "1.1.0" })).toBeVisible();
  for (const [size, viewport] of [["desktop", { width: 1280, height: 800 }], ["phone", { width: 390, height: 844 }]] as const) {
    await page.setViewportSize(viewport);
    await screenshot(page, `tag-sizes-${size}`);
  }
});

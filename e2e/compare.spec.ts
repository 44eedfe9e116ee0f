// Compare… from the tag page: pick the other reference, read the diff (config, layers, platforms);
// desktop and phone screenshots. Real registry:2 images built with umoci.
import { expect, test } from "./fixtures";
import { pushImage, pushIndex, startRegistry, type RunningRegistry } from "../test/harness";
import { gotoManifest, screenshot } from "./helpers";

let reg: RunningRegistry;
let id = "";
const run = Date.now().toString(36);
const base = { files: { "base.txt": "shared base\n" }, createdBy: "COPY base.txt /" };

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  reg = await startRegistry({ mode: "open", name: "compare-e2e" });
  await pushImage(reg, "acme/api:1.4.1", { env: ["MODE=staging"], labels: { version: "1.4.1" }, cmd: ["serve"], layers: [base, { files: { "app": "one\n" }, createdBy: "COPY app /app # 1.4.1" }] });
  await pushImage(reg, "acme/api:1.4.2", { env: ["MODE=prod", "FEATURE_X=on"], labels: { version: "1.4.2" }, cmd: ["serve", "--fast"], layers: [base, { files: { "app": "two\n" }, createdBy: "COPY app /app # 1.4.2" }] });
  await pushIndex(reg, "acme/multi:1", ["linux/amd64"]);
  await pushIndex(reg, "acme/multi:2", ["linux/amd64", "linux/arm64"]);
  const res = await request.post("/api/v1/registries", { data: { name: `compare-${run}`, kind: "GENERIC", endpoint: reg.url } });
  expect(res.status()).toBe(201);
  id = (await res.json()).id;
});

test.afterAll(async () => {
  await reg?.stop();
});

test("Compare… on the tag page: pick the other tag, see env, labels, cmd and layers that change", async ({ page }) => {
  await gotoManifest(page, id, "acme/api", "1.4.1");
  await page.getByRole("link", { name: "Compare…" }).click();
  await expect(page).toHaveURL(/\/compare\?from=/);
  const to = page.getByRole("form", { name: "To" });
  await to.getByLabel("Registry").selectOption({ label: `compare-${run}` });
  await to.getByLabel("Repository").fill("acme/api");
  await to.getByLabel("Tag or digest").fill("1.4.2");
  await to.getByRole("button", { name: "Use" }).click();
  const config = page.getByTestId("diff-config");
  await expect(config).toContainText("env.MODE", { timeout: 30_000 });
  await expect(config).toContainText("staging");
  await expect(config).toContainText("prod");
  await expect(config).toContainText("env.FEATURE_X");
  await expect(config).toContainText("labels.version");
  await expect(config).toContainText('["serve","--fast"]');
  await expect(page.getByTestId("diff-added")).toContainText("COPY app /app # 1.4.2");
  await expect(page.getByTestId("diff-removed")).toContainText("COPY app /app # 1.4.1");
  await expect(page.getByTestId("diff")).toContainText("Layers shared");
  await screenshot(page, "compare-desktop");

  // the comparison is in the URL: a reload shows it again; at 390 px nothing runs off the side
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByTestId("diff-config")).toContainText("env.MODE", { timeout: 30_000 });
  for (const part of ["diff", "diff-config", "diff-added", "pick-to"]) {
    const box = (await page.getByTestId(part).boundingBox())!;
    expect(box.x + box.width, part).toBeLessThanOrEqual(390);
  }
  await screenshot(page, "compare-phone");

  // Swap turns the comparison round: the pickers follow, and what was added is now removed
  await page.getByRole("button", { name: "Swap" }).click();
  await expect(page.getByRole("form", { name: "From" }).getByLabel("Tag or digest")).toHaveValue("1.4.2");
  await expect(page.getByRole("form", { name: "To" }).getByLabel("Tag or digest")).toHaveValue("1.4.1");
  await expect(page.getByTestId("diff-removed")).toContainText("COPY app /app # 1.4.2", { timeout: 30_000 });
});

test("an index against an index names the platform added; a tag that does not exist is said plainly", async ({ page }) => {
  await page.goto(`/compare?${new URLSearchParams({ from: `${id}:acme/multi:1`, to: `${id}:acme/multi:2` })}`);
  await expect(page.getByTestId("diff-platforms")).toContainText("+ linux/arm64", { timeout: 30_000 });
  await screenshot(page, "compare-platforms");
  await page.goto(`/compare?${new URLSearchParams({ from: `${id}:acme/multi:1`, to: `${id}:acme/multi:nope` })}`);
  await expect(page.getByTestId("error")).toContainText("acme/multi:nope", { timeout: 30_000 });
});

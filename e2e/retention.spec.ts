// Retention by click: add a policy, preview (delete/keep with reasons and bytes), run with
// progress; skopeo then lists exactly the kept tags. Screenshots at desktop and phone sizes.
import { expect, test } from "./fixtures";
import { mapLimit, skopeoListTags, startRegistry, type RunningRegistry } from "../test/harness";
import { pushBlob, pushDistinctImage } from "../test/harness/distinct-images";
import { screenshot } from "./helpers";

let reg: RunningRegistry;
const run = Date.now().toString(36);
const REPO = "shop/web";
const TAGS = [1, 2].flatMap((major) => Array.from({ length: 3 }, (_, minor) => Array.from({ length: 4 }, (_, patch) => `${major}.${minor}.${patch}`)).flat());

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  reg = await startRegistry({ mode: "open", name: "retention-e2e", deleteEnabled: true });
  const layerBytes = new TextEncoder().encode("web layer ".repeat(200));
  const layer = { digest: await pushBlob(reg, REPO, layerBytes), size: layerBytes.length };
  await mapLimit([...TAGS, "latest"], 6, (t) => pushDistinctImage(reg, REPO, t, layer));
  const res = await request.post("/api/v1/registries", { data: { name: `retention-${run}`, kind: "GENERIC", endpoint: reg.url } });
  expect(res.status()).toBe(201);
});

test.afterAll(async () => {
  await reg?.stop();
});

test("add a policy, preview it, run it: the registry keeps exactly the preview's keep list", async ({ page }) => {
  await page.goto("/settings/retention");
  const form = page.getByRole("form", { name: "Add policy" });
  await form.getByLabel("Name").fill(`web ${run}`);
  await form.getByLabel("Registry").selectOption({ label: `retention-${run}` });
  await form.getByLabel("Repository glob").fill(REPO);
  await form.getByLabel("Keep last").fill("2");
  await form.getByLabel("versions per").selectOption("minor");
  await form.getByLabel("Keep tags (globs, comma-separated)").fill("latest");
  // Sundays 02:30 UTC: saved and shown, never due while this test runs on a weekday
  await form.getByLabel("Schedule (cron, UTC; empty: by click only)").fill("30 2 * * 0");
  await form.getByRole("button", { name: "Add policy" }).click();
  const card = page.getByTestId("policy").filter({ hasText: `web ${run}` });
  await expect(card).toBeVisible();
  await expect(card).toContainText("runs on schedule 30 2 * * 0 (UTC)");
  await card.getByRole("button", { name: "Preview" }).click();
  const preview = card.getByTestId("preview");
  // 6 minor lines × 2 kept + latest; 12 deleted
  await expect(preview).toContainText("12 tags would be deleted, 13 kept");
  await expect(preview).toContainText("older than the newest 2 versions of line 1.0.x");
  await expect(preview).toContainText("matches keepTags latest");
  await screenshot(page, "retention-preview");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "retention-preview-phone");
  await page.setViewportSize({ width: 1280, height: 800 });

  page.once("dialog", (d) => d.accept());
  await card.getByRole("button", { name: "Run" }).click();
  await expect(card.getByTestId("runs").locator("li").first()).toContainText("succeeded", { timeout: 60_000 });
  await expect(card.getByTestId("run-progress").first()).toContainText("12/12 deleted");
  await expect(card.getByTestId("preview")).toHaveCount(0);
  await screenshot(page, "retention-run");
  const kept = (await skopeoListTags(reg, REPO)).sort();
  expect(kept).toEqual(["1.0.2", "1.0.3", "1.1.2", "1.1.3", "1.2.2", "1.2.3", "2.0.2", "2.0.3", "2.1.2", "2.1.3", "2.2.2", "2.2.3", "latest"]);
});

test("an invalid policy is refused with the field named, and nothing is added", async ({ page }) => {
  await page.goto("/settings/retention");
  await expect(page.getByTestId("policies")).not.toBeEmpty(); // loaded: a policy or "No policies"
  const before = await page.getByTestId("policy").count();
  const form = page.getByRole("form", { name: "Add policy" });
  await form.getByLabel("Name").fill("no rules");
  await form.getByLabel("Repository glob").fill("shop/{web");
  await form.getByRole("button", { name: "Add policy" }).click();
  await expect(page.getByTestId("error")).toContainText("repositoryGlob");
  await expect(page.getByTestId("policy")).toHaveCount(before);
});

// Harbor from the UI: add it with the connect form (project robot; endpoint = a real registry:2
// behind Harbor's /service/token, API = the loopback Harbor /api/v2.0), test it, browse with
// Harbor's push times, retag, and promote to and from a plain registry:2; digests checked with skopeo.
import { expect, test } from "@playwright/test";
import { pushImage, skopeoInspect, startRegistry, type RunningRegistry } from "../test/harness";
import { startHarbor, type HarborSetup } from "../test/harness/vendors/harbor";
import { expectSecretsKeptOnServer, gotoManifest, promoteAndVerify, promoteFromTagPage, registryIdByName, screenshot, submitConnectForm } from "./helpers";

let h: HarborSetup;
let plain: RunningRegistry;
const run = Date.now().toString(36);
const NAME = `harbor-${run}`;
const PLAIN = `plain-h-${run}`;
const ids: Record<string, string> = {};
const digests: Record<string, string> = {};

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  [h, plain] = await Promise.all([
    startHarbor({ name: "e2e-harbor", project: "library" }),
    startRegistry({ mode: "open", name: "e2e-harbor-plain" }),
  ]);
  digests["library/app:1.0"] = await pushImage(h.registry, "library/app:1.0", { labels: { build: "h1" } });
  digests["library/team/api:2.0"] = await pushImage(h.registry, "library/team/api:2.0", { labels: { build: "h2" } });
  digests["demo/app:1.0"] = await pushImage(plain, "demo/app:1.0", { labels: { build: "plain-h" } });
  const res = await request.post("/api/v1/registries", { data: { name: PLAIN, kind: "GENERIC", endpoint: plain.url } });
  expect(res.status()).toBe(201);
  ids.plain = (await res.json()).id;
});

test.afterAll(async () => {
  await Promise.all([h?.stop(), plain?.stop()]);
});

test("add Harbor from the connect form, test it, browse with Harbor's push times, retag, promote both ways", async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto("/settings/registries?add=1");
  await page.getByLabel("Kind").selectOption("HARBOR");
  await expect(page.getByText("Tag List and Delete").first()).toBeVisible();
  const row = await submitConnectForm(page, NAME, [
    ["Endpoint", h.registry.url],
    ["Harbor API (optional)", h.harbor.api],
    ["Project (default: the robot's project)", "library"],
    ["Robot or user name", h.robot.username],
    ["Secret or password", h.robot.password],
  ], "vendor-harbor-add");
  await expect(row).toContainText("robot$library+ci");
  await expect(row).not.toContainText(h.robot.password);
  await row.getByRole("button", { name: "Test" }).click();
  await expect(row.getByRole("status")).toContainText("may delete tags");
  await expect(row.getByRole("status")).toContainText("Harbor token service");
  await screenshot(page, "vendor-harbor-test");
  ids.harbor = await registryIdByName(page, NAME);

  // browse: the project's repositories (a nested one too), artifacts' push times in the tag table
  await page.goto(`/registries/${ids.harbor}`);
  await expect(page.getByTestId("repositories")).toContainText("library/app");
  await expect(page.getByTestId("repositories")).toContainText("library/team/api");
  await page.getByRole("link", { name: "library/team/api" }).click();
  const tagRow = page.locator('[data-testid="tag-row"][data-tag="2.0"]');
  await expect(tagRow.locator('[data-col="digest"]')).toContainText(digests["library/team/api:2.0"].slice(7, 19));
  await expect(tagRow.locator('[data-col="pushed"]')).toHaveAttribute("title", /^pushed \d{4}-/);
  await screenshot(page, "vendor-harbor-tags");

  // retag inside Harbor
  await promoteAndVerify(page, [ids.harbor, "library/app", "1.0"], { registry: NAME, repository: "library/app", tag: "stable" }, [h.registry, "library/app:stable", digests["library/app:1.0"]]);

  // Harbor → registry:2
  await promoteAndVerify(page, [ids.harbor, "library/team/api", "2.0"], { registry: PLAIN, repository: "from-harbor/api", tag: "2.0" }, [plain, "from-harbor/api:2.0", digests["library/team/api:2.0"]]);

  // registry:2 → Harbor
  await gotoManifest(page, ids.plain, "demo/app", "1.0");
  const dialog = await promoteFromTagPage(page, { registry: NAME, repository: "library/promoted", tag: "1.0" });
  await screenshot(page, "vendor-harbor-promote");
  await dialog.getByRole("button", { name: "Close" }).click();
  expect((await skopeoInspect(h.registry, "library/promoted:1.0")).Digest).toBe(digests["demo/app:1.0"]);
});

test("no secret of this registry reaches the API, the Settings page or the server log", async ({ page }) => {
  await expectSecretsKeptOnServer(page, [h.robot.password]);
});

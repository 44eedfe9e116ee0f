// Quay from the UI: add it with the connect form (robot account + OAuth token, endpoint = a real
// registry:2 behind Quay's token path, API = the loopback Quay), test it, browse with Quay's
// pushed-at, retag, and promote to and from a plain registry:2; digests checked with skopeo.
import { expect, test } from "@playwright/test";
import { pushImage, skopeoInspect, startRegistry, type RunningRegistry } from "../test/harness";
import { startQuay, type QuaySetup } from "../test/harness/vendors/quay";
import { expectSecretsKeptOnServer, gotoManifest, promoteAndVerify, promoteFromTagPage, registryIdByName, screenshot, submitConnectForm } from "./helpers";

let q: QuaySetup;
let plain: RunningRegistry;
const run = Date.now().toString(36);
const NAME = `quay-${run}`;
const PLAIN = `plain-q-${run}`;
const ids: Record<string, string> = {};
const digests: Record<string, string> = {};

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  [q, plain] = await Promise.all([
    startQuay({ name: "e2e-quay", tokens: { "quay-oauth-e2e-token": { read: true, write: true } } }),
    startRegistry({ mode: "open", name: "e2e-quay-plain" }),
  ]);
  digests["acme/app:1.0"] = await pushImage(q.registry, "acme/app:1.0", { labels: { build: "q1" } });
  digests["acme/app:2.0"] = await pushImage(q.registry, "acme/app:2.0", { labels: { build: "q2" } });
  digests["demo/app:1.0"] = await pushImage(plain, "demo/app:1.0", { labels: { build: "plain" } });
  const res = await request.post("/api/v1/registries", { data: { name: PLAIN, kind: "GENERIC", endpoint: plain.url } });
  expect(res.status()).toBe(201);
  ids.plain = (await res.json()).id;
});

test.afterAll(async () => {
  await Promise.all([q?.stop(), plain?.stop()]);
});

test("add Quay from the connect form, test it, browse with Quay's pushed-at, retag, promote both ways", async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto("/settings/registries?add=1");
  await page.getByLabel("Kind").selectOption("QUAY");
  await expect(page.getByText("Read/Write to any accessible repositories").first()).toBeVisible();
  const row = await submitConnectForm(page, NAME, [
    ["Endpoint", q.registry.url],
    ["Quay API (optional)", q.quay.url],
    ["Robot account", q.robot.username],
    ["Robot token", q.robot.password],
    ["OAuth application token (optional)", "quay-oauth-e2e-token"],
  ], "vendor-quay-add");
  await expect(row).toContainText("Robot account: acme+ci");
  await expect(row).not.toContainText("quay-oauth-e2e-token");
  await row.getByRole("button", { name: "Test" }).click();
  await expect(row.getByRole("status")).toContainText("may delete tags");
  await expect(row.getByRole("status")).toContainText("✓ delete enabled");
  await screenshot(page, "vendor-quay-test");
  ids.quay = await registryIdByName(page, NAME);

  // browse: repositories from Quay's API, the tag table with Quay's start_ts as pushed at
  await page.goto(`/registries/${ids.quay}`);
  await expect(page.getByTestId("repositories")).toContainText("acme/app");
  await page.getByRole("link", { name: "acme/app" }).click();
  const tagRow = page.locator('[data-testid="tag-row"][data-tag="1.0"]');
  await expect(tagRow.locator('[data-col="digest"]')).toContainText(digests["acme/app:1.0"].slice(7, 19));
  await expect(tagRow.locator('[data-col="pushed"]')).toHaveAttribute("title", /^pushed \d{4}-/);
  await screenshot(page, "vendor-quay-tags");

  // retag inside Quay
  await promoteAndVerify(page, [ids.quay, "acme/app", "1.0"], { registry: NAME, repository: "acme/app", tag: "stable" }, [q.registry, "acme/app:stable", digests["acme/app:1.0"]]);

  // Quay → registry:2
  await promoteAndVerify(page, [ids.quay, "acme/app", "2.0"], { registry: PLAIN, repository: "from-quay/app", tag: "2.0" }, [plain, "from-quay/app:2.0", digests["acme/app:2.0"]]);

  // registry:2 → Quay
  await gotoManifest(page, ids.plain, "demo/app", "1.0");
  const dialog = await promoteFromTagPage(page, { registry: NAME, repository: "acme/promoted", tag: "1.0" });
  await screenshot(page, "vendor-quay-promote");
  await dialog.getByRole("button", { name: "Close" }).click();
  expect((await skopeoInspect(q.registry, "acme/promoted:1.0")).Digest).toBe(digests["demo/app:1.0"]);
});

test("no secret of this registry reaches the API, the Settings page or the server log", async ({ page }) => {
  await expectSecretsKeptOnServer(page, [q.robot.password, "quay-oauth-e2e-token"]);
});

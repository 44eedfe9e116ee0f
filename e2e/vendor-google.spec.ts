// Google Artifact Registry from the UI against the loopback Google (OAuth JWT exchange with the
// key's token_uri, Artifact Registry REST, a token-mode registry:2 that takes only the current
// access token): add it by pasting the JSON key, test it, browse to the tag table (pushed at from
// dockerImages), retag, delete one tag, promote to and from a plain registry:2 (digests checked with skopeo).
import { expect, test } from "@playwright/test";
import { pushImage, skopeoInspect, skopeoListTags, startRegistry, type RunningRegistry } from "../test/harness";
import { startGoogle, type GoogleStandIn, type ServiceAccount } from "../test/harness/vendors/google";
import { deleteFromTagPage, expectSecretsKeptOnServer, gotoManifest, promoteAndVerify, promoteFromTagPage, registryIdByName, screenshot, submitConnectForm } from "./helpers";

const run = Date.now().toString(36);
const GAR = `gar-${run}`;
const OTHER = `r2-${run}-for-gar`;
let g: GoogleStandIn;
let sa: ServiceAccount;
let other: RunningRegistry;
const ids: Record<string, string> = {};
const digests: Record<string, string> = {};
const API = "regatta-test/docker/api";

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  [g, other] = await Promise.all([startGoogle({ project: "regatta-test", location: "us" }), startRegistry({ mode: "open", name: "e2e-gar-other" })]);
  sa = g.createServiceAccount("regatta-e2e", "repoAdmin");
  g.createRepository("docker");
  [digests[`${API}:1.0`], digests["other/app:2.0"]] = await Promise.all([
    pushImage(g.asRegistry(), `${API}:1.0`, { labels: { v: "1.0" } }),
    pushImage(other, "other/app:2.0", { labels: { v: "2.0" } }),
  ]);
  const res = await request.post("/api/v1/registries", { data: { name: OTHER, kind: "GENERIC", endpoint: other.url } });
  expect(res.status()).toBe(201);
  ids.other = (await res.json()).id;
});

test.afterAll(async () => {
  await Promise.all([g?.stop(), other?.stop()]);
});

test("add Google Artifact Registry by pasting the JSON key, and test it", async ({ page }) => {
  await page.goto("/settings/registries?add=1");
  await page.getByLabel("Kind").selectOption("GOOGLE");
  await expect(page.getByText(/roles\/artifactregistry.reader/)).toBeVisible();
  const row = await submitConnectForm(page, GAR, [
    ["Endpoint", g.url],
    ["Artifact Registry API (optional)", g.apiUrl],
    [/^Project \/ repository/, "regatta-test/docker"],
    ["Service account JSON key", sa.keyJson],
    ["Location (optional)", "us"],
  ], "vendor-google-form");
  await expect(row).toContainText("Google Artifact Registry");
  await row.getByRole("button", { name: "Test" }).click();
  await expect(row.getByRole("status")).toContainText(`as ${sa.email} (access token)`);
  await screenshot(page, "vendor-google-test");
  const html = await page.content();
  expect(html).not.toContain("PRIVATE KEY");
  expect(g.exchanges.some((e) => e.email === sa.email && e.status === 200)).toBe(true);

  ids.gar = await registryIdByName(page, GAR);
});

test("browse to the tag table (pushed at from dockerImages), retag, delete one tag, promote to and from registry:2", async ({ page }) => {
  test.skip(!ids.gar, "needs the registry added by the first test");
  await page.goto("/");
  await page.getByTestId("registry-card").filter({ hasText: GAR }).click();
  await expect(page.getByTestId("repositories")).toContainText(API);
  await page.getByRole("link", { name: API }).click();
  const row = page.locator('[data-testid="tag-row"][data-tag="1.0"]');
  await expect(row.locator('[data-col="pushed"]')).toHaveAttribute("title", /^pushed \d{4}-\d\d-\d\dT[^ ]+$/, { timeout: 15_000 });
  await screenshot(page, "vendor-google-tags");

  // retag inside Artifact Registry
  await gotoManifest(page, ids.gar, API, "1.0");
  await expect(page.getByTestId("digest")).toHaveText(digests[`${API}:1.0`]);
  await promoteFromTagPage(page, { registry: GAR, repository: API, tag: "stable" });
  expect((await skopeoInspect(g.asRegistry(), `${API}:stable`)).Digest).toBe(digests[`${API}:1.0`]);

  // delete that one tag through packages.tags.delete: 1.0, on the same digest, stays
  await gotoManifest(page, ids.gar, API, "stable");
  const asked = await deleteFromTagPage(page);
  await expect(page).toHaveURL(/\/tags\?repository=regatta-test%2Fdocker%2Fapi/);
  expect(asked).toContain("Artifact Registry removes only this tag");
  expect(g.apiCalls.at(-1)).toMatchObject({ method: "DELETE", status: 200 });
  expect((await skopeoListTags(g.asRegistry(), API)).sort()).toEqual(["1.0"]);
  expect((await skopeoInspect(g.asRegistry(), `${API}:1.0`)).Digest).toBe(digests[`${API}:1.0`]);

  // Artifact Registry → registry:2
  await promoteAndVerify(page, [ids.gar, API, "1.0"], { registry: OTHER, repository: "from-gar/api", tag: "1.0" }, [other, "from-gar/api:1.0", digests[`${API}:1.0`]]);

  // registry:2 → Artifact Registry
  await gotoManifest(page, ids.other, "other/app", "2.0");
  await promoteFromTagPage(page, { registry: GAR, repository: "regatta-test/docker/web", tag: "2.0" });
  await screenshot(page, "vendor-google-promote");
  expect((await skopeoInspect(g.asRegistry(), "regatta-test/docker/web:2.0")).Digest).toBe(digests["other/app:2.0"]);
});

test("no secret of this registry reaches the API, the Settings page or the server log", async ({ page }) => {
  await expectSecretsKeptOnServer(page, [(JSON.parse(sa.keyJson).private_key as string).slice(100, 180)]);
});

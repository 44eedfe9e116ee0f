// Nothing published by accident, in the promote dialog: against the loopback Docker Hub (a real
// registry:2 in token mode behind it) with a private repository and a public one, the plan shows
// both visibilities and says the image will become public; Promote stays disabled, with the reason,
// until "Publish it" is ticked; then the copy goes through (digest checked with skopeo). With the
// registry set to "Forbidden" in Settings → Registries the plan says why Promote is not possible.
import { expect, test, type Page } from "./fixtures";
import { pushImage, skopeoInspect, startRegistry, type RunningRegistry } from "../test/harness";
import { startDockerHub, type DockerHubStandIn } from "../test/harness/vendors/dockerhub";
import { gotoManifest, planPromotion, screenshot } from "./helpers";

const run = Date.now().toString(36);
const HUB = `hub-visibility-${run}`;
const PAT = "dckr_pat_e2e_visibility_0123456789";
let backing: RunningRegistry;
let hub: DockerHubStandIn;
let alice: RunningRegistry;
let hubId: string;
let digest: string;

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  backing = await startRegistry({ mode: "token", name: "e2e-visibility" });
  hub = await startDockerHub({ registry: backing, users: { alice: { password: "alice-hub-password", pats: { [PAT]: "delete" }, orgs: ["acme"] } }, privateRepositories: ["acme/internal"] });
  alice = hub.as("alice", PAT);
  [digest] = await Promise.all([pushImage(alice, "acme/internal:1.0", { labels: { v: "internal" } }), pushImage(alice, "acme/site:1.0", { labels: { v: "site" } })]);
  const res = await request.post("/api/v1/registries", { data: { name: HUB, kind: "DOCKERHUB", endpoint: hub.registryUrl, apiEndpoint: hub.hubUrl, namespace: "acme", credentials: { username: "alice", password: PAT } } });
  expect(res.status()).toBe(201);
  hubId = (await res.json()).id;
});

test.afterAll(async () => {
  await hub?.stop();
  await backing?.stop();
});

async function plan(page: Page, tag: string) {
  await gotoManifest(page, hubId, "acme/internal", "1.0");
  // the first page of a fresh server takes long on a busy machine
  await expect(page.getByTestId("digest")).toHaveText(digest, { timeout: 30_000 });
  const dialog = await planPromotion(page, { registry: HUB, repository: "acme/site", tag });
  await expect(dialog.getByTestId("plan-visibility")).toBeVisible({ timeout: 30_000 });
  return dialog;
}

test("private → public: the plan says it will publish; Promote waits for the confirmation", async ({ page }) => {
  const dialog = await plan(page, "published");
  await expect(dialog.getByTestId("source-visibility")).toHaveText("private");
  await expect(dialog.getByTestId("target-visibility")).toHaveText("public");
  await expect(dialog.getByTestId("plan-visibility")).toContainText(`This will publish an image from ${HUB}/acme/internal (private) into ${HUB}/acme/site, which is public: anyone will be able to pull it.`);
  const promote = dialog.getByRole("button", { name: "Promote", exact: true });
  await expect(promote).toBeDisabled();
  await expect(dialog.getByTestId("promote-blocked")).toHaveText("Confirm the publication: the image will become public.");
  await screenshot(page, "promote-publish-desktop");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "promote-publish-phone");
  await page.setViewportSize({ width: 1280, height: 800 });

  await dialog.getByRole("checkbox", { name: /^Publish it/ }).check();
  await expect(promote).toBeEnabled();
  await promote.click();
  await expect(dialog.getByTestId("promotion-state")).toHaveText("succeeded", { timeout: 30_000 });
  expect((await skopeoInspect(alice, "acme/site:published")).Digest).toBe(digest);
});

test("a registry set to Forbidden in Settings: the plan says why Promote is not possible", async ({ page }) => {
  await page.goto("/settings/registries");
  const row = page.getByTestId("registries-table").getByRole("row").filter({ hasText: HUB });
  await row.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Publishing into public repositories here").selectOption("FORBID");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(row.getByTestId("publish-forbidden")).toBeVisible();
  try {
    const dialog = await plan(page, "forbidden");
    await expect(dialog.getByTestId("promote-blocked")).toContainText(`${HUB} forbids publishing into its public repositories`);
    await expect(dialog.getByRole("button", { name: "Promote", exact: true })).toBeDisabled();
    await expect(dialog.getByRole("checkbox", { name: /^Publish it/ })).toHaveCount(0);
    await screenshot(page, "promote-publish-forbidden");
  } finally {
    const res = await page.request.patch(`/api/v1/registries/${hubId}`, { data: { publishPolicy: "ALLOW_WITH_CONFIRMATION" } });
    expect(res.status()).toBe(200);
  }
});

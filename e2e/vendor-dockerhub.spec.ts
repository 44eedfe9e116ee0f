// Docker Hub from the UI against the loopback Docker Hub stand-in (a real registry:2 in token mode
// behind it): add it with the connect form, test the token, see the pull budget on the overview,
// browse to the tag table (pushed by from the Hub API), retag, promote to and from a plain
// registry:2 (digests checked with skopeo), and a 429 that says when to retry on that registry only.
import { expect, test } from "@playwright/test";
import { pushImage, skopeoInspect, skopeoListTags, startRegistry, type RunningRegistry } from "../test/harness";
import { startDockerHub, type DockerHubStandIn } from "../test/harness/vendors/dockerhub";
import { deleteFromTagPage, expectSecretsKeptOnServer, gotoManifest, promoteAndVerify, promoteFromTagPage, registryIdByName, screenshot, submitConnectForm } from "./helpers";

const run = Date.now().toString(36);
const HUB = `docker-hub-${run}`;
const OTHER = `plain-${run}`;
const PAT = "dckr_pat_e2e_rwd_0123456789";
let backing: RunningRegistry;
let other: RunningRegistry;
let hub: DockerHubStandIn;
let alice: RunningRegistry;
const ids: Record<string, string> = {};
const digests: Record<string, string> = {};

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  [backing, other] = await Promise.all([startRegistry({ mode: "token", name: "e2e-dockerhub" }), startRegistry({ mode: "open", name: "e2e-dockerhub-other" })]);
  hub = await startDockerHub({ registry: backing, users: { alice: { password: "alice-hub-password", pats: { [PAT]: "delete" }, orgs: ["acme"] } } });
  alice = hub.as("alice", PAT);
  [digests["acme/app:1.0"], digests["other/app:2.0"]] = await Promise.all([
    pushImage(alice, "acme/app:1.0", { labels: { v: "1.0" } }),
    pushImage(other, "other/app:2.0", { labels: { v: "2.0" } }),
    pushImage(backing, "ratelimitpreview/test:latest", {}),
  ]);
  const res = await request.post("/api/v1/registries", { data: { name: OTHER, kind: "GENERIC", endpoint: other.url } });
  expect(res.status()).toBe(201);
  ids.other = (await res.json()).id;
});

test.afterAll(async () => {
  await hub?.stop();
  await Promise.all([backing?.stop(), other?.stop()]);
});

test("add Docker Hub from the connect form, test the token, pull budget on the overview", async ({ page }) => {
  await page.goto("/settings/registries?add=1");
  await page.getByLabel("Kind").selectOption("DOCKERHUB");
  await expect(page.getByText("Read, Write, Delete to also remove tags")).toBeVisible();
  const row = await submitConnectForm(page, HUB, [
    ["Endpoint", hub.registryUrl],
    ["Hub API (optional)", hub.hubUrl],
    [/^Namespace/, "acme"],
    ["Username", "alice", true],
    ["Personal access token", PAT],
  ], "vendor-dockerhub-form");
  await expect(row).toContainText("Docker Hub");
  await row.getByRole("button", { name: "Test" }).click();
  await expect(row.getByRole("status")).toContainText("whether Docker Hub lets it delete tags is not known until the first delete");
  await expect(row.getByRole("status")).toContainText("1 repository in acme");
  await screenshot(page, "vendor-dockerhub-test");
  expect(await page.content()).not.toContain(PAT);

  ids.hub = await registryIdByName(page, HUB);
  await page.goto("/");
  const card = page.getByTestId("registry-card").filter({ hasText: HUB });
  await expect(card.getByTestId("rate-limit")).toContainText(/pulls left \d+ \/ 100 per 6 h/);
  await expect(card.getByTestId("rate-limit")).toHaveAttribute("data-state", "ok");
  await expect(page.getByTestId("registry-card").filter({ hasText: OTHER }).getByTestId("rate-limit")).toHaveCount(0);
  await screenshot(page, "vendor-dockerhub-overview");
});

test("browse to the tag table (pushed by from the Hub API), retag, delete one tag, promote to and from registry:2", async ({ page }) => {
  test.skip(!ids.hub, "needs the registry added by the first test");
  await page.goto("/");
  await page.getByTestId("registry-card").filter({ hasText: HUB }).click();
  await expect(page.getByTestId("repositories")).toContainText("acme/app");
  await page.getByRole("link", { name: "acme/app" }).click();
  const row = page.locator('[data-testid="tag-row"][data-tag="1.0"]');
  await expect(row.locator('[data-col="pushed"]')).toHaveAttribute("title", /by alice$/, { timeout: 15_000 });
  await screenshot(page, "vendor-dockerhub-tags");

  // retag inside Docker Hub
  await gotoManifest(page, ids.hub, "acme/app", "1.0");
  await expect(page.getByTestId("digest")).toHaveText(digests["acme/app:1.0"]);
  await promoteFromTagPage(page, { registry: HUB, repository: "acme/app", tag: "stable" });
  expect((await skopeoInspect(alice, "acme/app:stable")).Digest).toBe(digests["acme/app:1.0"]);

  // delete that one tag through the Hub API: 1.0, on the same digest, stays
  await gotoManifest(page, ids.hub, "acme/app", "stable");
  const asked = await deleteFromTagPage(page);
  await expect(page).toHaveURL(/\/tags\?repository=acme%2Fapp/);
  expect(asked).toContain("Docker Hub removes just this tag");
  expect(asked).toMatch(/This tag will be deleted:\s*stable/);
  expect((await skopeoListTags(alice, "acme/app")).sort()).toEqual(["1.0"]);
  expect((await skopeoInspect(alice, "acme/app:1.0")).Digest).toBe(digests["acme/app:1.0"]);

  // Docker Hub → registry:2
  await promoteAndVerify(page, [ids.hub, "acme/app", "1.0"], { registry: OTHER, repository: "from-hub/app", tag: "1.0" }, [other, "from-hub/app:1.0", digests["acme/app:1.0"]]);

  // registry:2 → Docker Hub
  await gotoManifest(page, ids.other, "other/app", "2.0");
  await promoteFromTagPage(page, { registry: HUB, repository: "acme/app", tag: "2.0" });
  await screenshot(page, "vendor-dockerhub-promote");
  expect((await skopeoInspect(alice, "acme/app:2.0")).Digest).toBe(digests["other/app:2.0"]);
});

test("a 429 from Docker Hub says when to retry, on that registry's page and card only", async ({ page }) => {
  test.skip(!ids.hub, "needs the registry added by the first test");
  hub.force429({ retryAfterSeconds: 1800 });
  try {
    await gotoManifest(page, ids.hub, "acme/app", "1.0");
    const error = page.getByTestId("error");
    await expect(error).toContainText("Rate limited by the registry, retry at");
    await expect(error).toContainText("(in 30 min)");
    await expect(error).toContainText("pull rate limit");
    await screenshot(page, "vendor-dockerhub-429");

    await page.goto("/");
    const budget = page.getByTestId("registry-card").filter({ hasText: HUB }).getByTestId("rate-limit");
    await expect(budget).toHaveAttribute("data-state", "limited");
    await expect(budget).toContainText("pulls left 0 / 100 per 6 h");
    await expect(budget).toContainText(/pull limit reached, retry at .+ \(in 30 min\)/);
    const otherCard = page.getByTestId("registry-card").filter({ hasText: OTHER });
    await expect(otherCard.getByTestId("health")).toHaveAttribute("data-state", "ok");
    await expect(otherCard).not.toContainText("retry");
    await screenshot(page, "vendor-dockerhub-overview-429");
  } finally {
    hub.force429(null);
  }
  // the other registry's pages keep working meanwhile, and Docker Hub again once the limit lifts
  await gotoManifest(page, ids.hub, "acme/app", "1.0");
  await expect(page.getByTestId("digest")).toHaveText(digests["acme/app:1.0"]);
});

test("no secret of this registry reaches the API, the Settings page or the server log", async ({ page }) => {
  await expectSecretsKeptOnServer(page, [PAT]);
});

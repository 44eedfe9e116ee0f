// Amazon ECR from the UI against the loopback ECR (SigV4 JSON 1.1 API + a /v2 front taking only
// Basic AWS:<token>, over a real registry:2): add it with the connect form, test the keys, browse
// to the tag table (pushed at from DescribeImages), retag (through PutImage), delete one tag, promote to and from
// a plain registry:2 (digests checked with skopeo), and an immutable repository said plainly.
import { expect, test } from "@playwright/test";
import { pushImage, skopeoInspect, skopeoListTags, startRegistry, type RunningRegistry } from "../test/harness";
import { startEcr, type EcrStandIn } from "../test/harness/vendors/ecr";
import { deleteFromTagPage, expectSecretsKeptOnServer, gotoManifest, promoteAndVerify, promoteFromTagPage, registryIdByName, screenshot, submitConnectForm } from "./helpers";

const run = Date.now().toString(36);
const ECR = `ecr-${run}`;
const OTHER = `r2-${run}-for-ecr`;
const KEY = "AKIAE2ETEST000000001";
const SECRET = "e2e-ecr-secret-access-key-0001";
let ecr: EcrStandIn;
let other: RunningRegistry;
const ids: Record<string, string> = {};
const digests: Record<string, string> = {};

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  [ecr, other] = await Promise.all([
    startEcr({ region: "eu-west-1", keys: { [KEY]: { secretAccessKey: SECRET, user: "regatta-ci" } } }),
    startRegistry({ mode: "open", name: "e2e-ecr-other" }),
  ]);
  for (const r of ["team/api", "team/web"]) ecr.createRepository(r);
  ecr.createRepository("team/locked", { immutable: true });
  const front = ecr.asRegistry();
  [digests["team/api:1.0"], digests["other/app:2.0"], digests["team/locked:1.0"]] = await Promise.all([
    pushImage(front, "team/api:1.0", { labels: { v: "1.0" } }),
    pushImage(other, "other/app:2.0", { labels: { v: "2.0" } }),
    pushImage(front, "team/locked:1.0", { labels: { v: "locked" } }),
  ]);
  const res = await request.post("/api/v1/registries", { data: { name: OTHER, kind: "GENERIC", endpoint: other.url } });
  expect(res.status()).toBe(201);
  ids.other = (await res.json()).id;
});

test.afterAll(async () => {
  await Promise.all([ecr?.stop(), other?.stop()]);
});

test("add ECR from the connect form and test the keys", async ({ page }) => {
  await page.goto("/settings/registries?add=1");
  await page.getByLabel("Kind").selectOption("ECR");
  await expect(page.getByText(/ecr:GetAuthorizationToken/)).toBeVisible();
  const row = await submitConnectForm(page, ECR, [
    ["Endpoint", ecr.url],
    ["ECR API (optional)", ecr.apiUrl],
    [/^Repository prefix/, "team"],
    ["Access key id (optional)", KEY],
    ["Secret access key (optional)", SECRET],
    ["Region", "eu-west-1"],
  ], "vendor-ecr-form");
  await expect(row).toContainText("Amazon ECR");
  await row.getByRole("button", { name: "Test" }).click();
  await expect(row.getByRole("status")).toContainText("region eu-west-1");
  await expect(row.getByRole("status")).toContainText(`access key ${KEY}`);
  await screenshot(page, "vendor-ecr-test");
  expect(await page.content()).not.toContain(SECRET);
  expect(ecr.calls.some((c) => c.op === "GetAuthorizationToken" && c.accessKeyId === KEY && c.status === 200)).toBe(true);

  ids.ecr = await registryIdByName(page, ECR);
});

test("browse to the tag table (pushed at from DescribeImages), retag through PutImage, delete a tag, promote to and from registry:2", async ({ page }) => {
  test.skip(!ids.ecr, "needs the registry added by the first test");
  await page.goto("/");
  await page.getByTestId("registry-card").filter({ hasText: ECR }).click();
  await expect(page.getByTestId("repositories")).toContainText("team/api");
  await page.getByRole("link", { name: "team/api" }).click();
  const row = page.locator('[data-testid="tag-row"][data-tag="1.0"]');
  await expect(row.locator('[data-col="pushed"]')).toHaveAttribute("title", /^pushed \d{4}-\d\d-\d\dT[^ ]+$/, { timeout: 15_000 });
  await screenshot(page, "vendor-ecr-tags");

  // retag inside ECR: the tag is written with PutImage
  const puts = ecr.calls.filter((c) => c.op === "PutImage" && c.status === 200).length;
  await gotoManifest(page, ids.ecr, "team/api", "1.0");
  await expect(page.getByTestId("digest")).toHaveText(digests["team/api:1.0"]);
  await promoteFromTagPage(page, { registry: ECR, repository: "team/api", tag: "stable" });
  expect(ecr.calls.filter((c) => c.op === "PutImage" && c.status === 200).length).toBe(puts + 1);
  expect((await skopeoInspect(ecr.asRegistry(), "team/api:stable")).Digest).toBe(digests["team/api:1.0"]);

  // delete that one tag through BatchDeleteImage: 1.0, on the same digest, stays
  await gotoManifest(page, ids.ecr, "team/api", "stable");
  const asked = await deleteFromTagPage(page);
  await expect(page).toHaveURL(/\/tags\?repository=team%2Fapi/);
  expect(asked).toContain("ECR removes only this tag");
  expect(ecr.calls.filter((c) => c.op === "BatchDeleteImage").at(-1)?.status).toBe(200);
  expect((await skopeoListTags(ecr.asRegistry(), "team/api")).sort()).toEqual(["1.0"]);
  expect((await skopeoInspect(ecr.asRegistry(), "team/api:1.0")).Digest).toBe(digests["team/api:1.0"]);

  // ECR → registry:2
  await promoteAndVerify(page, [ids.ecr, "team/api", "1.0"], { registry: OTHER, repository: "from-ecr/api", tag: "1.0" }, [other, "from-ecr/api:1.0", digests["team/api:1.0"]]);

  // registry:2 → ECR
  await gotoManifest(page, ids.other, "other/app", "2.0");
  await promoteFromTagPage(page, { registry: ECR, repository: "team/web", tag: "2.0" });
  await screenshot(page, "vendor-ecr-promote");
  expect((await skopeoInspect(ecr.asRegistry(), "team/web:2.0")).Digest).toBe(digests["other/app:2.0"]);

  // an immutable repository refuses to move a tag, in plain words, and the tag stays
  await gotoManifest(page, ids.ecr, "team/api", "1.0");
  await page.getByRole("button", { name: "Promote…" }).click();
  const dialog = page.getByRole("dialog", { name: "Promote" });
  await dialog.getByLabel("Target registry").selectOption({ label: ECR });
  await dialog.getByLabel("Repository").fill("team/locked");
  await dialog.getByLabel("Tag").fill("1.0");
  await dialog.getByRole("button", { name: "Plan (dry run)" }).click();
  await expect(dialog.getByTestId("overwrite-warning")).toBeVisible();
  await dialog.getByLabel("Move the existing tag (overwrite)").check();
  // the plan already knows: Promote stays disabled, with the reason
  await expect(dialog.getByTestId("promote-blocked")).toContainText("repository team/locked in");
  await expect(dialog.getByTestId("promote-blocked")).toContainText("has immutable tags");
  await expect(dialog.getByRole("button", { name: "Promote", exact: true })).toBeDisabled();
  await screenshot(page, "vendor-ecr-immutable");
  expect((await skopeoInspect(ecr.asRegistry(), "team/locked:1.0")).Digest).toBe(digests["team/locked:1.0"]);
});

test("no secret of this registry reaches the API, the Settings page or the server log", async ({ page }) => {
  await expectSecretsKeptOnServer(page, [SECRET]);
});

// Amazon ECR Public from the UI against the loopback ECR Public (SigV4 ecr-public API in us-east-1 +
// a /v2 front with public.ecr.aws's token flow, over a real registry:2): add it with the connect
// form (endpoint and API prefilled by default; only keys here), test it, browse to the tag table
// (pushed at from DescribeImages), promote into it from a plain registry:2 and delete one tag;
// digests checked with skopeo.
import { expect, test } from "@playwright/test";
import { pushImage, skopeoListTags, startRegistry, type RunningRegistry } from "../test/harness";
import { startEcrPublic, type EcrPublicStandIn } from "../test/harness/vendors/ecr-public";
import { deleteFromTagPage, expectSecretsKeptOnServer, gotoManifest, promoteAndVerify, promoteFromTagPage, registryIdByName, screenshot, submitConnectForm } from "./helpers";

const run = Date.now().toString(36);
const NAME = `ecr-public-${run}`;
const OTHER = `r2-${run}-for-ecr-public`;
const KEY = "AKIAREGATTAPUBLIC001";
const SECRET = "e2e-ecr-public-secret-0001";
let pub: EcrPublicStandIn;
let other: RunningRegistry;
const ids: Record<string, string> = {};
const digests: Record<string, string> = {};

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  [pub, other] = await Promise.all([
    startEcrPublic({ alias: "acme", keys: { [KEY]: { secretAccessKey: SECRET, user: "regatta-ci" } } }),
    startRegistry({ mode: "open", name: "e2e-ecr-public-other" }),
  ]);
  for (const r of ["api", "web"]) pub.createRepository(r);
  [digests["acme/api:1.0"], digests["other/app:2.0"]] = await Promise.all([
    pushImage(pub.asRegistry(), "acme/api:1.0", { labels: { v: "1.0" } }),
    pushImage(other, "other/app:2.0", { labels: { v: "2.0" } }),
  ]);
  const res = await request.post("/api/v1/registries", { data: { name: OTHER, kind: "GENERIC", endpoint: other.url } });
  expect(res.status()).toBe(201);
  ids.other = (await res.json()).id;
});

test.afterAll(async () => {
  await Promise.all([pub?.stop(), other?.stop()]);
});

test("ECR Public: add from the connect form, test, browse, promote into it, delete one tag", async ({ page }) => {
  await page.goto("/settings/registries?add=1");
  await page.getByLabel("Kind").selectOption("ECR_PUBLIC");
  await expect(page.getByText(/ecr-public:GetAuthorizationToken/)).toBeVisible();
  // ECR (private) may leave its endpoint empty now: the form says where it comes from
  await page.getByLabel("Kind").selectOption("ECR");
  await expect(page.getByLabel("Endpoint")).toHaveAttribute("placeholder", /GetAuthorizationToken's proxyEndpoint/);
  await expect(page.getByLabel("Endpoint")).not.toHaveAttribute("required", "");
  await page.getByLabel("Kind").selectOption("ECR_PUBLIC");
  const row = await submitConnectForm(page, NAME, [
    ["Endpoint", pub.url],
    ["ECR Public API (optional)", pub.apiUrl],
    ["Access key id (optional)", KEY],
    ["Secret access key (optional)", SECRET],
  ], "vendor-ecr-public-form");
  await expect(row).toContainText("Amazon ECR Public");
  await row.getByRole("button", { name: "Test" }).click();
  await expect(row.getByRole("status")).toContainText("Registry alias acme");
  await screenshot(page, "vendor-ecr-public-test");
  const desktop = page.viewportSize()!;
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "vendor-ecr-public-test-phone");
  await page.setViewportSize(desktop);
  expect(await page.content()).not.toContain(SECRET);
  ids.pub = await registryIdByName(page, NAME);

  await page.goto(`/registries/${ids.pub}`);
  await expect(page.getByTestId("repositories")).toContainText("acme/web");
  await page.getByRole("link", { name: "acme/api" }).click();
  await expect(page.locator('[data-testid="tag-row"][data-tag="1.0"] [data-col="pushed"]')).toHaveAttribute("title", /^pushed \d{4}-/, { timeout: 15_000 });
  await screenshot(page, "vendor-ecr-public-tags");

  // registry:2 → ECR Public
  await promoteAndVerify(page, [ids.other, "other/app", "2.0"], { registry: NAME, repository: "acme/web", tag: "2.0" }, [pub.asRegistry(), "acme/web:2.0", digests["other/app:2.0"]], { close: true });
  await promoteFromTagPage(page, { registry: NAME, repository: "acme/web", tag: "doomed" });

  // delete that one tag through BatchDeleteImage: 2.0, on the same digest, stays
  await gotoManifest(page, ids.pub, "acme/web", "doomed");
  const asked = await deleteFromTagPage(page);
  await expect(page).toHaveURL(/\/tags\?repository=acme%2Fweb/);
  expect(asked).toContain("ECR Public removes only this tag");
  expect((await skopeoListTags(pub.asRegistry(), "acme/web")).sort()).toEqual(["2.0"]);
});

test("no secret of this registry reaches the API, the Settings page or the server log", async ({ page }) => {
  await expectSecretsKeptOnServer(page, [SECRET]);
});

// GHCR from the UI: add it with the connect form (the registry is a real registry 2.8 behind the
// token flow, the GitHub API a loopback stand-in answering from its storage), test the
// connection, browse with pushed-at times from the packages API, retag, and promote to and from a
// plain registry:2; skopeo checks every digest.
import { expect, test } from "@playwright/test";
import { pushImage, startRegistry, type RunningRegistry } from "../test/harness";
import { startGitHubApi, type GitHubApi } from "../test/harness/vendors/github";
import { packageState } from "../test/harness/vendors/package-state";
import { expectSecretsKeptOnServer, promoteAndVerify, registryIdByName, screenshot, submitConnectForm } from "./helpers";

let ghcr: RunningRegistry;
let plain: RunningRegistry;
let gh: GitHubApi;
const digests: Record<string, string> = {};
const run = Date.now().toString(36);
const name = `ghcr-${run}`;
const plainName = `registry2-for-gh-${run}`;
let id = "";

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  [ghcr, plain] = await Promise.all([
    startRegistry({ mode: "token", name: "e2e-ghcr", users: { octocat: "ghp_e2eClassicToken" } }),
    startRegistry({ mode: "open", name: "e2e-ghcr-plain" }),
  ]);
  [digests["acme/api:1.0.0"], digests["acme/api:2.0.0"], digests["demo/app:1.0"]] = await Promise.all([
    pushImage(ghcr, "acme/api:1.0.0", { layers: [{ files: { "/v": "1" } }] }),
    pushImage(ghcr, "acme/api:2.0.0", { layers: [{ files: { "/v": "2" } }] }),
    pushImage(plain, "demo/app:1.0", { layers: [{ files: { "/app": "from plain" } }] }),
  ]);
  gh = await startGitHubApi({
    state: packageState(ghcr), owner: "acme", ownerType: "Organization",
    tokens: { ghp_e2eClassicToken: { login: "octocat", scopes: ["read:packages", "write:packages", "delete:packages"] } },
  });
  const res = await request.post("/api/v1/registries", { data: { name: plainName, kind: "GENERIC", endpoint: plain.url } });
  expect(res.status()).toBe(201);
});

test.afterAll(async () => {
  await gh?.stop();
  await Promise.all([ghcr?.stop(), plain?.stop()]);
});

test("GHCR: add from the connect form, test, browse with pushed at, retag, promote both ways", async ({ page }) => {
  // 1. the connect form, as a user fills it in
  await page.goto("/settings/registries");
  await page.getByRole("button", { name: "Add registry" }).click();
  await page.getByLabel("Kind").selectOption("GHCR");
  await expect(page.getByText("read:packages (browse), write:packages")).toBeVisible();
  const row = await submitConnectForm(page, name, [
    ["Endpoint", ghcr.url, true],
    ["GitHub API (optional)", gh.url],
    [/^User or organisation/, "acme"],
    ["Username", "octocat", true],
    ["Personal access token (classic)", "ghp_e2eClassicToken"],
  ], "vendor-ghcr-form");
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: "Test" }).click();
  await expect(row.getByRole("status")).toContainText("The token has read:packages, write:packages and delete:packages.");
  await screenshot(page, "vendor-ghcr-test");
  id = await registryIdByName(page, name);

  // 2. browse: packages from the GitHub API, pushed at from the package versions
  await page.goto(`/registries/${id}`);
  await expect(page.getByTestId("repositories")).toContainText("acme/api");
  await page.getByRole("link", { name: "acme/api" }).click();
  await expect(page.getByTestId("tag-count")).toHaveText("2 of 2 tags");
  await expect(page.getByTestId("details-progress")).toHaveAttribute("data-state", "done", { timeout: 20_000 });
  const pushed = page.locator('[data-testid="tag-row"][data-tag="1.0.0"] [data-col="pushed"]');
  await expect(pushed).toHaveAttribute("title", /^pushed \d{4}-/);
  await expect(pushed).toHaveText(/^(just now|\d+ (min|h|d) ago|\d{4}-\d\d-\d\d)$/); // the app's one date format (components/time.tsx)
  await expect(page.locator('[data-testid="tag-row"][data-tag="1.0.0"] [data-col="digest"]')).toContainText(digests["acme/api:1.0.0"].slice(7, 19));
  await screenshot(page, "vendor-ghcr-tags");

  // 3. retag inside GHCR
  await promoteAndVerify(page, [id, "acme/api", "1.0.0"], { registry: name, repository: "acme/api", tag: "stable" }, [ghcr, "acme/api:stable", digests["acme/api:1.0.0"]], { close: true });

  // 4. promote GHCR → registry:2, and registry:2 → GHCR
  await promoteAndVerify(page, [id, "acme/api", "2.0.0"], { registry: plainName, repository: "release/api", tag: "2.0.0" }, [plain, "release/api:2.0.0", digests["acme/api:2.0.0"]], { close: true });
  const plainId = await registryIdByName(page, plainName);
  await promoteAndVerify(page, [plainId, "demo/app", "1.0"], { registry: name, repository: "acme/app", tag: "1.0" }, [ghcr, "acme/app:1.0", digests["demo/app:1.0"]], { close: true });
  // the new package shows up through the GitHub API, with its time
  await page.goto(`/registries/${id}`);
  await expect(page.getByTestId("repositories")).toContainText("acme/app");
  await page.goto(`/registries/${id}/tags?repository=acme/app`);
  await expect(page.getByTestId("details-progress")).toHaveAttribute("data-state", "done", { timeout: 20_000 });
  await expect(page.locator('[data-testid="tag-row"][data-tag="1.0"] [data-col="pushed"]')).toHaveAttribute("title", /^pushed /, { timeout: 20_000 });
  await screenshot(page, "vendor-ghcr-promoted");
});

test("no secret of this registry reaches the API, the Settings page or the server log", async ({ page }) => {
  await expectSecretsKeptOnServer(page, ["ghp_e2eClassicToken"]);
});

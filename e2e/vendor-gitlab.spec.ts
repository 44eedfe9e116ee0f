// GitLab from the UI: add it with the connect form (a real registry 2.8 whose token realm is
// GitLab's /jwt/auth, and GitLab's REST API as a loopback stand-in answering from the registry's
// storage), test the connection, browse a project's repositories with created_at from the tag
// details API, retag, and promote to and from a plain registry:2; skopeo checks every digest.
import { expect, test } from "@playwright/test";
import { pushImage, startRegistry, type RunningRegistry } from "../test/harness";
import { startGitLabApi, useGitLabRealm, type GitLabApi } from "../test/harness/vendors/gitlab";
import { packageState } from "../test/harness/vendors/package-state";
import { expectSecretsKeptOnServer, promoteAndVerify, registryIdByName, screenshot, submitConnectForm } from "./helpers";

let gitlab: RunningRegistry;
let plain: RunningRegistry;
let gl: GitLabApi;
const digests: Record<string, string> = {};
const run = Date.now().toString(36);
const name = `gitlab-${run}`;
const plainName = `registry2-for-gl-${run}`;

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  [gitlab, plain] = await Promise.all([
    startRegistry({ mode: "token", name: "e2e-gitlab", users: { alice: "glpat-e2eAccessToken" } }),
    startRegistry({ mode: "open", name: "e2e-gitlab-plain" }),
  ]);
  gl = await startGitLabApi({
    state: packageState(gitlab), projects: ["acme/web"], groups: ["acme"], tokenRealm: gitlab.tokenServer!.url,
    tokens: { "glpat-e2eAccessToken": { kind: "personal", username: "alice", scopes: ["api", "read_registry", "write_registry"], expiresAt: "2027-06-30" } },
  });
  await useGitLabRealm(gitlab, gl);
  [digests["acme/web:1.0"], digests["acme/web/worker:0.1"], digests["demo/app:1.0"]] = await Promise.all([
    pushImage(gitlab, "acme/web:1.0", { layers: [{ files: { "/v": "1" } }] }),
    pushImage(gitlab, "acme/web/worker:0.1", { layers: [{ files: { "/w": "1" } }] }),
    pushImage(plain, "demo/app:1.0", { layers: [{ files: { "/app": "from plain" } }] }),
  ]);
  const res = await request.post("/api/v1/registries", { data: { name: plainName, kind: "GENERIC", endpoint: plain.url } });
  expect(res.status()).toBe(201);
});

test.afterAll(async () => {
  await gl?.stop();
  await Promise.all([gitlab?.stop(), plain?.stop()]);
});

test("GitLab: add from the connect form, test, browse with created (not pushed) at, retag, promote both ways", async ({ page }) => {
  // 1. the connect form
  await page.goto("/settings/registries");
  await page.getByRole("button", { name: "Add registry" }).click();
  await page.getByLabel("Kind").selectOption("GITLAB");
  await expect(page.getByText("read_registry (browse), write_registry")).toBeVisible();
  const row = await submitConnectForm(page, name, [
    ["Endpoint", gitlab.url, true],
    ["GitLab URL (optional)", gl.url],
    [/^Project or group path/, "acme/web"],
    ["Username", "alice", true],
    ["Access token or deploy token", "glpat-e2eAccessToken"],
  ], "vendor-gitlab-form");
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: "Test" }).click();
  await expect(row.getByRole("status")).toContainText("The token has read_registry, write_registry and api.");
  await expect(row.getByRole("status")).toContainText("project acme/web");
  await screenshot(page, "vendor-gitlab-test");
  const id = await registryIdByName(page, name);

  // 2. browse: the project's repositories from the REST API; GitLab's created_at is the build time, never shown as pushed
  await page.goto(`/registries/${id}`);
  await expect(page.getByTestId("repositories")).toContainText("acme/web/worker");
  await screenshot(page, "vendor-gitlab-repositories");
  await page.getByRole("link", { name: "acme/web", exact: true }).click();
  await expect(page.getByTestId("tag-count")).toHaveText("1 of 1 tags");
  await expect(page.getByTestId("details-progress")).toHaveAttribute("data-state", "done", { timeout: 20_000 });
  await expect(page.locator('[data-testid="tag-row"][data-tag="1.0"] [data-col="created"]')).toHaveAttribute("title", /^\d{4}-/);
  await expect(page.locator('[data-testid="tag-row"][data-tag="1.0"] [data-col="pushed"]')).not.toHaveAttribute("title", /^pushed /);
  await expect(page.locator('[data-testid="tag-row"][data-tag="1.0"] [data-col="digest"]')).toContainText(digests["acme/web:1.0"].slice(7, 19));
  await screenshot(page, "vendor-gitlab-tags");

  // 3. retag inside GitLab (through /jwt/auth tokens)
  await promoteAndVerify(page, [id, "acme/web", "1.0"], { registry: name, repository: "acme/web", tag: "stable" }, [gitlab, "acme/web:stable", digests["acme/web:1.0"]], { close: true });
  expect(gl.log.some((l) => l.path === "/jwt/auth" && l.status === 200)).toBe(true);

  // 4. promote GitLab → registry:2, and registry:2 → GitLab
  await promoteAndVerify(page, [id, "acme/web/worker", "0.1"], { registry: plainName, repository: "release/worker", tag: "0.1" }, [plain, "release/worker:0.1", digests["acme/web/worker:0.1"]], { close: true });
  await promoteAndVerify(page, [await registryIdByName(page, plainName), "demo/app", "1.0"], { registry: name, repository: "acme/web/app", tag: "1.0" }, [gitlab, "acme/web/app:1.0", digests["demo/app:1.0"]], { close: true });
  await page.goto(`/registries/${id}/tags?repository=acme/web/app`);
  await expect(page.getByTestId("details-progress")).toHaveAttribute("data-state", "done", { timeout: 20_000 });
  // this one Regatta pushed itself: its own record names the push
  await expect(page.locator('[data-testid="tag-row"][data-tag="1.0"] [data-col="pushed"]')).toHaveAttribute("title", /^pushed /);
  await screenshot(page, "vendor-gitlab-promoted");
});

test("no secret of this registry reaches the API, the Settings page or the server log", async ({ page }) => {
  await expectSecretsKeptOnServer(page, ["glpat-e2eAccessToken"]);
});

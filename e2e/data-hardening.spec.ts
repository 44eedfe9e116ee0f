// Issue #16 item 9 and issue #12 items 5 and 8, in the browser: the tag filter's globs go through
// the one glob matcher ({a,b}, classes), moving a registry asks for its credentials again, and the
// audit page reports the keyed chain up to its signed checkpoint (the app runs as regatta_app).
import { expect, test } from "./fixtures";
import { pushImage, pushManyTags, startRegistry, type RunningRegistry } from "../test/harness";
import { screenshot } from "./helpers";

let reg: RunningRegistry;
let id: string;
const run = Date.now().toString(36);

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  reg = await startRegistry({ mode: "open", name: "e2e-data" });
  await pushImage(reg, "demo/globs:seed", { layers: [{ files: { "g.txt": "globs\n" } }] });
  await pushManyTags(reg, "demo/globs", 12, "seed", { name: (i) => `tag-${String(i).padStart(4, "0")}` });
  const res = await request.post("/api/v1/registries", { data: { name: `globs-${run}`, kind: "GENERIC", endpoint: reg.url } });
  expect(res.status()).toBe(201);
  id = (await res.json()).id;
});

test.afterAll(async () => {
  await reg?.stop();
});

for (const [label, width] of [["desktop", 1280], ["phone", 390]] as const) {
  test(`tag filter: tag-000{1,2}, classes, and a malformed glob said plainly (${label})`, async ({ page }) => {
    await page.setViewportSize({ width, height: 800 });
    await page.goto(`/registries/${id}/tags?repository=demo/globs`);
    await expect(page.getByTestId("tag-count")).toHaveText("13 of 13 tags");
    const filter = page.getByLabel("Filter tags");
    await filter.fill("tag-000{1,2}");
    await expect(page.getByTestId("tag-count")).toHaveText("2 of 13 tags");
    await expect(page.locator('[data-testid="tag-row"][data-tag="tag-0001"]')).toBeVisible();
    await expect(page.locator('[data-testid="tag-row"][data-tag="tag-0002"]')).toBeVisible();
    await screenshot(page, `tag-filter-braces-${label}`);
    await filter.fill("tag-001[0-1]");
    await expect(page.getByTestId("tag-count")).toHaveText("2 of 13 tags");
    await filter.fill("tag-{1");
    await expect(page.getByTestId("tag-filter-problem")).toContainText("no closing }");
    await expect(page.getByTestId("tag-count")).toHaveText("0 of 13 tags");
    await filter.fill("");
    await expect(page.getByTestId("tag-count")).toHaveText("13 of 13 tags");
  });
}

test("moving a registry asks for its credentials again; saving without them is refused", async ({ page, request }) => {
  const name = `move-${run}`;
  const res = await request.post("/api/v1/registries", { data: { name, kind: "DOCKERHUB", credentials: { username: "alice", password: "dckr_pat_kept-on-the-server" } } });
  expect(res.status()).toBe(201);
  const regId = (await res.json()).id;
  for (const [label, width] of [["desktop", 1280], ["phone", 390]] as const) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto("/settings/registries");
    await page.getByRole("row", { name: new RegExp(name) }).getByRole("button", { name: "Edit" }).click();
    const form = page.getByRole("form", { name: "Edit registry" });
    await expect(form).toContainText("asks for them again");
    await form.getByLabel("Endpoint").fill("https://mirror.example.net");
    await expect(form.getByTestId("credentials-again")).toContainText("You changed the endpoint: enter the credentials again");
    await expect(form.getByLabel("Personal access token")).toBeVisible();
    await screenshot(page, `registry-move-credentials-${label}`);
    await form.getByRole("button", { name: "Cancel" }).click();
  }
  // the API refuses the move without credentials, and nothing changes
  const moved = await request.patch(`/api/v1/registries/${regId}`, { data: { endpoint: "https://mirror.example.net" } });
  expect(moved.status()).toBe(422);
  expect((await moved.json()).error.code).toBe("CREDENTIALS_REQUIRED");
  expect((await (await request.get(`/api/v1/registries/${regId}`)).json()).endpoint).toBe("https://registry-1.docker.io");
});

test("the audit page reports the keyed chain up to its signed checkpoint", async ({ page }) => {
  await page.goto("/audit");
  await expect(page.getByTestId("chain-status")).toContainText("Chain intact", { timeout: 30_000 });
  await expect(page.getByTestId("chain-status")).toContainText("up to the signed checkpoint");
  await page.setViewportSize({ width: 1280, height: 800 });
  await screenshot(page, "audit-chain-checkpoint-desktop");
  await page.setViewportSize({ width: 390, height: 800 });
  await expect(page.getByTestId("chain-status")).toBeVisible();
  await screenshot(page, "audit-chain-checkpoint-phone");
});

test("a registry's requests in flight: set in its form, shown when edited again, emptied back to the server's setting", async ({ page, request }) => {
  const name = `gentle-${run}`;
  const res = await request.post("/api/v1/registries", { data: { name, kind: "GENERIC", endpoint: "http://127.0.0.1:5998" } });
  const regId = (await res.json()).id;
  const edit = async () => {
    await page.goto("/settings/registries");
    await page.getByRole("row", { name: new RegExp(name) }).getByRole("button", { name: "Edit" }).click();
    return page.getByRole("form", { name: "Edit registry" });
  };
  const saved = async () => (await (await request.get(`/api/v1/registries/${regId}`)).json()).concurrency;
  let form = await edit();
  await expect(form.getByLabel("Requests in flight at once")).toHaveValue("");
  await form.getByLabel("Requests in flight at once").fill("3");
  await screenshot(page, "registry-concurrency-desktop");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "registry-concurrency-phone");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form).toHaveCount(0);
  expect(await saved()).toBe(3);
  form = await edit();
  await expect(form.getByLabel("Requests in flight at once")).toHaveValue("3");
  await form.getByLabel("Requests in flight at once").fill("");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form).toHaveCount(0);
  expect(await saved()).toBeNull();
});

// Audit from a real registry: the admin makes a webhook secret on the settings page, a real
// registry:2 (htpasswd) posts its notifications to the running Regatta, a skopeo push by a real
// registry user shows up on /audit with repository, tag, digest (as skopeo sees it) and the user.
import { expect, test } from "./fixtures";
import { buildImage, skopeoInspect, skopeoPush, startRegistry, type RunningRegistry } from "../test/harness";
import { screenshot } from "./helpers";

const run = Date.now().toString(36);
let reg: RunningRegistry | undefined;

test.afterAll(async () => {
  await reg?.stop();
});

test("a skopeo push to a registry with Regatta's webhook appears on /audit with who pushed what", async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  // the registry's port is known only once it runs, and its config needs Regatta's URL with the
  // registry id: create the connection first, point it at the registry afterwards
  const created = await page.request.post("/api/v1/registries", { data: { name: `audit-${run}`, kind: "GENERIC", endpoint: "http://127.0.0.1:9" } });
  expect(created.status()).toBe(201);
  const id = (await created.json()).id as string;

  await page.goto("/settings/registries");
  await page.getByRole("row").filter({ hasText: `audit-${run}` }).getByRole("button", { name: "Webhook" }).click();
  const panel = page.getByTestId("webhook-panel");
  await panel.getByRole("button", { name: "Make a webhook secret" }).click();
  const url = `${baseURL}/api/v1/webhooks/registry/${id}`;
  await expect(panel.getByTestId("webhook-url")).toContainText(url);
  const secret = (await panel.getByTestId("webhook-secret").innerText()).split(/\s/)[0];
  expect(secret).toMatch(/^rwh_/);
  await expect(panel.getByTestId("webhook-snippet")).toContainText(`Authorization: [ "Bearer ${secret}" ]`);
  await expect(panel.getByTestId("webhook-snippet")).toContainText(`url: ${url}`);
  await screenshot(page, "webhook");

  reg = await startRegistry({ mode: "htpasswd", name: "e2e-audit", users: { "erin-release": "erin-secret" }, notifications: { url, headers: { Authorization: `Bearer ${secret}` } } });
  const patched = await page.request.patch(`/api/v1/registries/${id}`, { data: { endpoint: reg.url, credentials: { username: "erin-release", password: "erin-secret" } } });
  expect(patched.status()).toBe(200);

  const image = await buildImage({ layers: [{ files: { "release.txt": `release ${run}\n` } }] }, "rel");
  const digest = await skopeoPush(reg, image.src, "shop/checkout:2.4.0");
  expect((await skopeoInspect(reg, "shop/checkout:2.4.0")).Digest).toBe(digest);

  // deliveries are asynchronous: wait until the event is in the log
  await expect.poll(async () => {
    const r = await page.request.get(`/api/v1/audit?registryId=${id}&action=registry.push`);
    return ((await r.json()).events as unknown[]).length;
  }, { timeout: 20_000 }).toBe(1);

  await page.goto(`/audit?registryId=${id}`);
  const row = page.getByTestId("audit-row").filter({ hasText: "registry.push" });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("erin-release");
  await expect(row).toContainText("shop/checkout");
  await expect(row).toContainText(":2.4.0");
  await expect(row.locator(`[data-digest="${digest}"]`)).toHaveCount(1);
  await expect(page.getByTestId("chain-status")).toContainText(/Chain intact: [\d,]+ events/);

  // the CSV export carries the same event
  const href = await page.getByTestId("export-csv").getAttribute("href");
  const csv = await page.request.get(href!);
  expect(csv.headers()["content-disposition"]).toContain("attachment");
  expect(await csv.text()).toMatch(new RegExp(`erin-release,registry\\.push,success,${id},shop/checkout,2\\.4\\.0,${digest}`));

  // a click on the actor filters by it
  await row.getByRole("button", { name: "erin-release" }).click();
  await expect(page).toHaveURL(/actor=erin-release/);
  await expect(page.getByTestId("audit-row")).toHaveCount(1);

  // a delivery with a wrong secret is refused and recorded
  const bad = await page.request.post(url, { headers: { authorization: "Bearer rwh_wrong" }, data: { events: [] } });
  expect(bad.status()).toBe(401);

  await page.goto("/audit");
  await expect(page.getByTestId("audit-row").filter({ hasText: "webhook.rejected" }).first()).toContainText("denied");
  await expect(page.getByTestId("audit-chart")).toContainText(/pushes \(\d+\)/);
  await expect(page.getByTestId("chain-status")).toContainText("Chain intact");
  await screenshot(page, "audit");
});

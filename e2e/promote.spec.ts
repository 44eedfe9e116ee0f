// Promote, retag, overwrite and roll back by click against real registries; skopeo checks digests.
import { expect, test, type Page } from "./fixtures";
import { seedStandard, skopeoInspect, startRegistry, type RunningRegistry, type StandardSeed } from "../test/harness";
import { ADMIN } from "./global-setup";
import { deleteFromTagPage, planPromotion, screenshot, signIn, type PromotionTarget } from "./helpers";

let open: RunningRegistry;
let basic: RunningRegistry;
let seed: StandardSeed;
const ids: Record<string, string> = {};
const run = Date.now().toString(36);

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  [open, basic] = await Promise.all([startRegistry({ mode: "open", name: "pe2e-open" }), startRegistry({ mode: "htpasswd", name: "pe2e-basic" })]);
  [seed] = await Promise.all([seedStandard(open), seedStandard(basic)]);
  for (const [name, r] of Object.entries({ open, basic })) {
    const res = await request.post("/api/v1/registries", { data: { name: `${name}-${run}`, kind: "GENERIC", endpoint: r.url, credentials: r.username ? { username: r.username, password: r.password } : undefined } });
    ids[name] = (await res.json()).id;
  }
});

test.afterAll(async () => {
  await Promise.all([open?.stop(), basic?.stop()]);
});

const tagPage = (page: Page, reg: string, repo: string, ref: string) =>
  page.goto(`/registries/${ids[reg]}/manifest?repository=${encodeURIComponent(repo)}&reference=${encodeURIComponent(ref)}`);
// registry 2.8's filesystem driver rewrites a tag's link file in place, so a read racing a write
// can answer 500 (seen once here): ask again before calling it a failure
async function digest(reg: RunningRegistry, ref: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await skopeoInspect(reg, ref)).Digest as string;
    } catch (e) {
      if (attempt >= 3 || !/500 Internal Server Error/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function promoteVia(page: Page, target: PromotionTarget, opts: { overwrite?: boolean; refused?: boolean } = {}) {
  const dialog = await planPromotion(page, target);
  if (opts.refused) return dialog;
  await expect(dialog.getByTestId("plan")).toBeVisible();
  if (opts.overwrite) {
    await expect(dialog.getByTestId("overwrite-warning")).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Promote", exact: true })).toBeDisabled();
    await dialog.getByLabel("Move the existing tag (overwrite)").check();
  }
  return dialog;
}

test("promote across registries by click: plan, progress, identical digest", async ({ page }) => {
  await tagPage(page, "open", "demo/app", "1.0.0");
  const dialog = await promoteVia(page, { registry: `basic-${run}`, repository: "release/app", tag: "1.0.0" });
  await expect(dialog.getByTestId("plan")).toContainText("copied");
  await screenshot(page, "promote-plan");
  await dialog.getByRole("button", { name: "Promote", exact: true }).click();
  await expect(dialog.getByTestId("promotion-state")).toHaveText("succeeded", { timeout: 30_000 });
  expect(await digest(basic, "release/app:1.0.0")).toBe(seed.digests["demo/app:1.0.0"]);
  await page.goto("/promotions");
  await expect(page.getByTestId("promotions")).toContainText("release/app:1.0.0");
  await screenshot(page, "promotions");
  // the audit log says who did it, with the digest
  const audit = await (await page.request.get(`/api/v1/audit?action=promote&registryId=${ids.basic}&repository=release/app&tag=1.0.0`)).json();
  expect(audit.events[0]).toMatchObject({ actorKind: "USER", actor: ADMIN.email, action: "promote", digest: seed.digests["demo/app:1.0.0"], outcome: "success" });
  // the overview's recent activity shows it to everyone who browses, linked to the new tag
  await page.goto("/");
  const item = page.getByTestId("activity-item").filter({ hasText: "release/app:1.0.0" }).first();
  await expect(item).toContainText(`${ADMIN.email} promoted`);
  await expect(item).toContainText(`in basic-${run}`);
  await expect(item).toContainText(seed.digests["demo/app:1.0.0"].slice(7, 19));
  await item.getByRole("link", { name: "release/app:1.0.0" }).click();
  await expect(page.getByTestId("digest")).toHaveText(seed.digests["demo/app:1.0.0"]);
});

test("retag, then overwrite only when confirmed, then roll back from the history", async ({ page }) => {
  await tagPage(page, "open", "demo/app", "1.0.0");
  let dialog = await promoteVia(page, { registry: `open-${run}`, repository: "demo/app", tag: "stable" });
  await dialog.getByRole("button", { name: "Promote", exact: true }).click();
  await expect(dialog.getByTestId("promotion-state")).toHaveText("succeeded");
  expect(await digest(open, "demo/app:stable")).toBe(seed.digests["demo/app:1.0.0"]);

  await tagPage(page, "open", "demo/app", "1.1.0");
  dialog = await promoteVia(page, { registry: `open-${run}`, repository: "demo/app", tag: "stable" }, { overwrite: true });
  // what changes if the tag moves: what it holds now (1.0.0) against 1.1.0, read when opened
  const changes = dialog.getByTestId("plan-diff");
  await changes.locator("summary").click();
  await expect(changes.getByTestId("diff")).toContainText("Layers added");
  await screenshot(page, "promote-plan-diff");
  await dialog.getByRole("button", { name: "Promote", exact: true }).click();
  await expect(dialog.getByTestId("promotion-state")).toHaveText("succeeded");
  expect(await digest(open, "demo/app:stable")).toBe(seed.digests["demo/app:1.1.0"]);

  await tagPage(page, "open", "demo/app", "stable");
  await expect(page.getByTestId("tag-history")).toContainText("regatta");
  await expect(page.getByTestId("last-push")).toContainText(`retagged by ${ADMIN.email}`);
  await screenshot(page, "tag-history");
  await page.getByRole("button", { name: /Roll back to/ }).first().click();
  await page.getByRole("dialog", { name: /Roll stable back/ }).getByRole("button", { name: "Roll back" }).click();
  await expect.poll(() => digest(open, "demo/app:stable")).toBe(seed.digests["demo/app:1.0.0"]);
});

test("an operator is refused on a protected tag and an admin is not", async ({ page, browser }) => {
  const rule = await page.request.post("/api/v1/protection-rules", { data: { registryId: ids.basic, repositoryGlob: "release/*", tagGlob: "prod", minRole: "ADMIN", reason: "production" } });
  expect(rule.status()).toBe(201);
  const operator = { email: `op-${run}@e2e.test`, password: "operator-password-1" };
  expect((await page.request.post("/api/v1/users", { data: { ...operator, role: "OPERATOR" } })).status()).toBe(201);

  const ctx = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const op = await ctx.newPage();
  await signIn(op, operator.email, operator.password);
  await tagPage(op, "open", "demo/app", "1.0.0");
  const dialog = await promoteVia(op, { registry: `basic-${run}`, repository: "release/app", tag: "prod" }, { refused: true });
  await expect(dialog.getByTestId("promote-blocked")).toContainText("production");
  await expect(dialog.getByRole("button", { name: "Promote", exact: true })).toBeDisabled();
  await expect(skopeoInspect(basic, "release/app:prod")).rejects.toThrow();
  await ctx.close();

  await tagPage(page, "open", "demo/app", "1.0.0");
  const adminDialog = await promoteVia(page, { registry: `basic-${run}`, repository: "release/app", tag: "prod" });
  await adminDialog.getByRole("button", { name: "Promote", exact: true }).click();
  await expect(adminDialog.getByTestId("promotion-state")).toHaveText("succeeded", { timeout: 30_000 });
  expect(await digest(basic, "release/app:prod")).toBe(seed.digests["demo/app:1.0.0"]);
});

test("pipeline stages: the tag page shows where a version stands and promotes to the next stage", async ({ page }) => {
  for (const [name, position, registryId, repository] of [[`dev-${run}`, 1, ids.open, "demo/app"], [`prod-${run}`, 2, ids.basic, "stage/app"]] as const) {
    expect((await page.request.post("/api/v1/environments", { data: { name, position, registryId, repository } })).status()).toBe(201);
  }
  await page.goto("/settings/pipeline");
  await expect(page.getByTestId("stages")).toContainText(`prod-${run}`);
  await screenshot(page, "settings-pipeline");

  await tagPage(page, "open", "demo/app", "1.1.0");
  await expect(page.getByTestId("pipeline")).toContainText(`dev-${run}: this version`);
  await expect(page.getByTestId("pipeline")).toContainText(`prod-${run}: –`);
  await page.getByRole("button", { name: `Promote to prod-${run}` }).click();
  const dialog = page.getByRole("dialog", { name: "Promote" });
  await expect(dialog.getByLabel("Repository")).toHaveValue("stage/app");
  await dialog.getByRole("button", { name: "Promote", exact: true }).click();
  await expect(dialog.getByTestId("promotion-state")).toHaveText("succeeded", { timeout: 30_000 });
  await dialog.getByRole("button", { name: "Close" }).click();
  await page.reload();
  await expect(page.getByTestId("pipeline")).toContainText(`prod-${run}: this version`);
  expect(await digest(basic, "stage/app:1.1.0")).toBe(seed.digests["demo/app:1.1.0"]);
  // stages are shared by every spec: leave none behind
  for (const e of (await (await page.request.get("/api/v1/environments")).json()).environments) await page.request.delete(`/api/v1/environments/${e.id}`);
});

test("safe delete names every tag that goes with the digest and needs the digest to confirm", async ({ page }) => {
  await tagPage(page, "open", "demo/app", "1.0.0");
  let dialog = await promoteVia(page, { registry: `open-${run}`, repository: "demo/app", tag: "doomed-a" });
  await dialog.getByRole("button", { name: "Promote", exact: true }).click();
  await expect(dialog.getByTestId("promotion-state")).toHaveText("succeeded");
  await dialog.getByRole("button", { name: "Close" }).click();
  dialog = await promoteVia(page, { registry: `open-${run}`, repository: "demo/app", tag: "doomed-b" });
  await dialog.getByRole("button", { name: "Promote", exact: true }).click();
  await expect(dialog.getByTestId("promotion-state")).toHaveText("succeeded");

  // without the digest, nothing is deleted: the API answers 409 with the preview
  const q = `repository=demo/app&tag=doomed-a`;
  const refused = await page.request.delete(`/api/v1/registries/${ids.open}/tags?${q}`);
  expect(refused.status()).toBe(409);
  expect((await refused.json()).error.details.tags).toEqual(expect.arrayContaining(["1.0.0", "doomed-a", "doomed-b"]));
  expect(await digest(open, "demo/app:doomed-a")).toBe(seed.digests["demo/app:1.0.0"]);

  await tagPage(page, "open", "demo/app", "doomed-a");
  const asked = await deleteFromTagPage(page);
  await expect(page).toHaveURL(/\/tags\?repository=demo%2Fapp/);
  expect(asked).toContain("doomed-b");
  expect(asked).toContain("deletes by digest only");
  await expect(skopeoInspect(open, "demo/app:doomed-b")).rejects.toThrow();
  await expect(skopeoInspect(open, "demo/app:1.0.0")).rejects.toThrow();
});

test("bulk promote: the filtered tags go to another registry in one go, each with the same checks", async ({ page }) => {
  await page.goto(`/registries/${ids.open}/tags?repository=demo/many`);
  await page.getByLabel("Filter tags").fill("v150?");
  await expect(page.getByTestId("tag-count")).toHaveText(/^1 of /);
  await page.getByLabel("Filter tags").fill("v149?");
  await expect(page.getByTestId("tag-count")).toHaveText(/^10 of /);
  await page.getByRole("button", { name: "Promote these 10…" }).click();
  const dialog = page.getByRole("dialog", { name: /^Promote 10 tags of/ });
  await dialog.getByLabel("Target registry").selectOption({ label: `basic-${run}` });
  await dialog.getByLabel("Repository").fill("bulk/many");
  await dialog.getByRole("button", { name: "Promote 10 tags" }).click();
  await expect(dialog.getByTestId("bulk-outcomes")).toContainText("10 queued");
  await screenshot(page, "bulk-promote");
  const want = seed.digests["demo/many:v0001"];
  for (const t of ["v1490", "v1495", "v1499"]) {
    await expect.poll(() => digest(basic, `bulk/many:${t}`).catch(() => ""), { timeout: 30_000 }).toBe(want);
  }
  // the overview reads the ten promotions of one digest as one line
  await expect.poll(async () => (await page.request.get(`/api/v1/audit?action=promote&repository=bulk/many&outcome=success`).then((r) => r.json())).events.length, { timeout: 30_000 }).toBe(10);
  await page.goto("/");
  const line = page.getByTestId("activity-item").filter({ hasText: "bulk/many:" });
  await expect(line).toHaveCount(1);
  await expect(line.getByTestId("activity-more")).toHaveText("and 9 more tags");
  await expect(line.getByTestId("activity-more")).toHaveAttribute("title", /v1490/);
  // (registries other specs stopped may be on the overview too: only this spec's cards are waited for)
  for (const card of await page.getByTestId("registry-card").filter({ hasText: run }).all()) await expect(card.getByTestId("health")).toHaveAttribute("data-state", "ok");
  await screenshot(page, "overview-activity");
});

// API tokens in Settings: scopes and expiry, the admin's list of everyone's tokens, and a password
// reset that ends the person's browser session and tokens (issue 12, item 16).
import { expect, test, type Browser, type Page } from "./fixtures";
import { screenshot, signIn } from "./helpers";

const VIEWER = { email: `viewer-${Date.now()}@e2e.test`, password: "viewer-password-123" };

async function makeToken(page: Page, name: string, scope: "read only" | "read and write", expires: string) {
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Scope").selectOption({ label: scope });
  await page.getByLabel("Expires").selectOption({ label: expires });
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent())!;
  await page.getByRole("button", { name: "Done" }).click();
  return token;
}

async function viewerPage(browser: Browser) {
  const ctx = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await ctx.newPage();
  await signIn(page, VIEWER.email, VIEWER.password);
  return { ctx, page };
}

test("a read-only token reads and cannot write; a write token can; both expire", async ({ page, playwright }) => {
  await page.goto("/settings/tokens");
  const read = await makeToken(page, "ci-read", "read only", "in 30 days");
  const write = await makeToken(page, "ci-write", "read and write", "in 7 days");
  const own = page.locator("table").first();
  await expect(own.getByRole("row", { name: /ci-read/ })).toContainText("read only");
  await expect(own.getByRole("row", { name: /ci-write/ })).toContainText("read and write");
  // the app's one date format: relative, the exact time on hover
  await expect(own.getByRole("row", { name: /ci-write/ })).toContainText(/in (7 d|6 d|167 h|168 h)/);
  await screenshot(page, "settings-tokens-scopes");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "settings-tokens-scopes-phone");
  await page.setViewportSize({ width: 1280, height: 720 });

  const base = new URL(page.url()).origin;
  for (const [token, status] of [[read, 403], [write, 201]] as const) {
    const ci = await playwright.request.newContext({ baseURL: base, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
    expect((await ci.get("/api/v1/me")).status()).toBe(200);
    const made = await ci.post("/api/v1/tokens", { data: { name: "from-ci" } });
    expect(made.status()).toBe(status);
    if (status === 403) expect((await made.json()).error.message).toMatch(/read-only/);
    await ci.dispose();
  }
});

test("an admin sees everyone's tokens and revokes a viewer's; a password reset ends the viewer's session", async ({ page, browser, playwright }) => {
  const created = await page.request.post("/api/v1/users", { data: { email: VIEWER.email, password: VIEWER.password, role: "VIEWER" } });
  expect(created.status()).toBe(201);
  const viewerId = (await created.json()).id as string;

  const v = await viewerPage(browser);
  await v.page.goto("/settings/tokens");
  await expect(v.page.getByRole("heading", { name: "Everyone's tokens" })).toHaveCount(0);
  const leaked = await makeToken(v.page, "laptop", "read only", "in 90 days");
  const ci = await playwright.request.newContext({ baseURL: new URL(v.page.url()).origin, extraHTTPHeaders: { authorization: `Bearer ${leaked}` } });
  expect((await ci.get("/api/v1/me")).status()).toBe(200);

  await page.goto("/settings/tokens");
  const everyone = page.getByRole("region", { name: "Everyone's tokens" });
  const row = everyone.getByRole("row", { name: new RegExp(VIEWER.email) });
  await expect(row).toContainText("laptop");
  await screenshot(page, "settings-tokens-admin");
  await row.getByRole("button", { name: /Revoke/ }).click();
  await expect(everyone.getByRole("row", { name: new RegExp(VIEWER.email) })).toHaveCount(0);
  expect((await ci.get("/api/v1/me")).status()).toBe(401);
  await ci.dispose();

  // the viewer is still signed in … until an admin resets their password
  await v.page.goto("/");
  await expect(v.page).not.toHaveURL(/\/login/);
  expect((await page.request.patch(`/api/v1/users/${viewerId}`, { data: { password: "a-new-password-456" } })).status()).toBe(200);
  await v.page.goto("/");
  await expect(v.page).toHaveURL(/\/login/);
  expect((await v.page.request.get("/api/v1/me")).status()).toBe(401);
  await v.ctx.close();
});

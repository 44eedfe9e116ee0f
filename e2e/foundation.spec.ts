import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { expect, test } from "./fixtures";
import pg from "pg";
import { ADMIN } from "./global-setup";
import { screenshot, signIn } from "./helpers";

const securityHeaders = JSON.parse(fs.readFileSync("lib/api/security-headers.json", "utf8")) as { key: string; value: string }[];

async function databaseText(): Promise<string> {
  const c = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await c.connect();
  const { rows: tables } = await c.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
  let out = "";
  for (const { tablename } of tables) {
    for (const r of (await c.query(`SELECT * FROM "${tablename}"`)).rows) {
      for (const v of Object.values(r)) out += (Buffer.isBuffer(v) ? v.toString("hex") + v.toString("latin1") : JSON.stringify(v)) + "\n";
    }
  }
  await c.end();
  return out;
}

test("a new admin is told what to do, adds a registry, sees it listed, and signs out; the password goes nowhere", async ({ page }) => {
  const password = "pw-" + randomBytes(18).toString("base64url");
  const html: string[] = [];
  const answers: string[] = [];
  page.on("response", async (res) => {
    const body = await res.text().catch(() => "");
    (res.request().resourceType() === "document" ? html : answers).push(body);
  });

  // the first screen is for a Regatta with no registry: remove what other specs added
  const existing = (await (await page.request.get("/api/v1/registries")).json()).registries as { id: string }[];
  for (const r of existing) expect((await page.request.delete(`/api/v1/registries/${r.id}`)).status()).toBe(204);

  await page.goto("/");
  await expect(page.getByTestId("first-run")).toContainText("Add a registry");
  await screenshot(page, "first-run");
  await page.getByRole("link", { name: "Add your first registry" }).click();

  await page.getByLabel("Kind").selectOption("GENERIC");
  await page.getByLabel("Name", { exact: true }).fill("local-registry");
  await page.getByLabel("Endpoint").fill("http://127.0.0.1:5999");
  await page.getByLabel("Username (optional)").fill("alice");
  await page.getByLabel("Password (optional)").fill(password);
  await screenshot(page, "add-registry");
  await page.getByRole("button", { name: "Add registry" }).click();

  const table = page.getByTestId("registries-table");
  await expect(table).toContainText("local-registry");
  await expect(table).toContainText("alice");
  await screenshot(page, "settings-registries");
  await page.reload();
  await expect(table).toContainText("local-registry");

  await page.goto("/");
  await expect(page.getByTestId("registry-card")).toContainText("local-registry");
  await screenshot(page, "overview");

  // nothing the browser received, the server logged or the database holds carries the password
  for (const body of [...html, ...answers, await page.content()]) expect(body).not.toContain(password);
  expect(fs.readFileSync(process.env.E2E_SERVER_LOG!, "utf8")).not.toContain(password);
  const db = await databaseText();
  expect(db).toContain("local-registry");
  expect(db).not.toContain(password);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/settings/registries");
  await expect(page).toHaveURL(/\/login/);
});

test("bad input in the form shows the server's message and saves nothing", async ({ page }) => {
  await page.goto("/settings/registries?add=1");
  await page.getByLabel("Kind").selectOption("DOCKERHUB");
  await page.getByLabel("Name", { exact: true }).fill("hub");
  await page.getByLabel("Username", { exact: true }).fill("someone");
  await page.getByRole("button", { name: "Add registry" }).click();
  await expect(page.getByTestId("error")).toContainText("credentials.password");
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId("registries-table")).not.toContainText("hub");
});

test("a viewer cannot reach admin settings or the admin API", async ({ page, browser }) => {
  const viewer = { email: `viewer-${Date.now()}@e2e.test`, password: "viewer-password-1" };
  const created = await page.request.post("/api/v1/users", { data: { ...viewer, role: "VIEWER" } });
  expect(created.status()).toBe(201);

  const ctx = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const vp = await ctx.newPage();
  await signIn(vp, viewer.email, viewer.password);
  await expect(vp.getByRole("link", { name: "Users" })).toHaveCount(0);
  const settings = await vp.goto("/settings/users");
  expect(settings?.status()).toBe(403);
  await expect(vp.getByText("You can’t open this page")).toBeVisible();
  expect((await vp.goto("/settings/registries"))?.status()).toBe(403);
  const api = await vp.request.get("/api/v1/users");
  expect(api.status()).toBe(403);
  expect((await api.json()).error.code).toBe("FORBIDDEN");
  const post = await vp.request.post("/api/v1/registries", { data: { name: "x", kind: "GENERIC", endpoint: "https://e.com" } });
  expect(post.status()).toBe(403);
  expect((await vp.request.get("/api/v1/registries")).status()).toBe(200);
  await ctx.close();

  // a signed-in browser tricked by another site: the cookie goes along, the change does not
  const forged = await page.request.post("/api/v1/registries", {
    data: { name: "csrf", kind: "GENERIC", endpoint: "https://e.com" },
    headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
  });
  expect(forged.status()).toBe(403);
  expect((await forged.json()).error.message).toContain("cross-site");

  const anon = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  expect((await anon.request.get(`/api/v1/registries`)).status()).toBe(401);
  await anon.close();
});

test("a wrong password gets one answer for every email, and repeated failures are slowed", async ({ browser }) => {
  const ctx = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const p = await ctx.newPage();
  const attempt = async (email: string) => {
    await p.goto("/login");
    await p.getByLabel("Email").fill(email);
    await p.getByLabel("Password").fill("definitely-wrong");
    await p.getByRole("button", { name: "Sign in" }).click();
    const error = p.getByTestId("login-error");
    await error.waitFor();
    return (await error.textContent()) ?? "";
  };
  const known = await attempt(ADMIN.email);
  const unknown = await attempt("nobody@e2e.test");
  expect(known).toBe("Invalid email or password.");
  expect(unknown).toBe(known);
  for (let i = 0; i < 4; i++) await attempt("nobody@e2e.test");
  expect(await attempt("nobody@e2e.test")).toMatch(/Too many failed attempts/);
  await ctx.close();
});

test("an API token made in Settings works with Bearer and stops working when revoked", async ({ page, playwright }) => {
  await page.goto("/settings/tokens");
  await page.getByLabel("Name", { exact: true }).fill("ci");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent())!;
  expect(token).toMatch(/^rgt_/);
  await screenshot(page, "settings-tokens");
  const ci = await playwright.request.newContext({ baseURL: page.url().replace(/\/settings.*$/, ""), extraHTTPHeaders: { authorization: `Bearer ${token}` } });
  const me = await ci.get("/api/v1/me");
  expect(me.status()).toBe(200);
  // the security headers on every answer: Next's page and API, and what npm start's server answers itself (machine routes)
  const fromFront = await ci.get("/api/v1/registries/00000000-0000-4000-8000-000000000000/tags?repository=x");
  expect(fromFront.status()).toBe(404);
  const pageAnswer = await page.request.get("/settings/tokens");
  for (const { key, value } of securityHeaders) {
    for (const answer of [pageAnswer, me, fromFront]) {
      // a page's CSP is its own: scripts only with this answer's nonce (proxy.ts), checked in e2e/csp.spec.ts
      if (answer === pageAnswer && key === "Content-Security-Policy") {
        expect(answer.headers()[key.toLowerCase()]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
        continue;
      }
      expect(answer.headers()[key.toLowerCase()], `${key} on ${answer.url()}`).toBe(value);
    }
  }
  await page.reload();
  expect(await page.content()).not.toContain(token);
  await page.getByRole("button", { name: "Revoke" }).first().click();
  await expect(page.getByText("No tokens.")).toBeVisible();
  expect((await ci.get("/api/v1/me")).status()).toBe(401);
  await ci.dispose();
});

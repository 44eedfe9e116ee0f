// Single sign-on against a real OpenID Provider (the npm package oidc-provider, started here on
// 127.0.0.1): a second Regatta with OIDC configured and AUTH_URL unset, signed into in Chromium.
// Checks the role mapping, that an IdP's unverified email does not take over an existing account,
// and that Auth.js's URLs (the callback sent to the IdP, the redirect after sign-in) use the
// public origin, not Next's internal loopback port. Then teams: the IdP's groups claim puts a
// person with no global role into the team mapped to that group, who sees only that team's
// registry; leaving the group takes the team (and the sight) away at the next sign-in.
import path from "node:path";
import { expect, test, type Page } from "./fixtures";
import pg from "pg";
import { startApp, type AppServer } from "../scripts/lib/app-server";
import { freePort } from "../test/harness/proc";
import { startOidcProvider, type OidcPerson, type RunningOidcProvider } from "../test/harness/oidc-provider";
import { screenshot } from "./helpers";

const ADMIN = { email: "owner@oidc.e2e.test", password: "oidc-e2e-admin-password" };
let app: AppServer;
let idp: RunningOidcProvider;
let base: string;
const people: Record<string, OidcPerson> = {
  alice: { email: "alice@oidc.e2e.test", emailVerified: true, name: "Alice Example" },
  // claims the admin's email, which the IdP has not verified
  mallory: { email: ADMIN.email, emailVerified: false, name: "Mallory" },
  // a verified email of an existing local account (linked only because the admin enabled it)
  carol: { email: "carol@oidc.e2e.test", emailVerified: true, name: "Carol" },
  // no global role in Regatta; her IdP group maps to a team
  dana: { email: "dana@oidc.e2e.test", emailVerified: true, name: "Dana", groups: ["platform-engineers", "unrelated"] },
};

test.use({ storageState: { cookies: [], origins: [] } });
test.describe.configure({ mode: "serial", timeout: 60_000 });

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: app.databaseUrl });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

async function signInWithIdp(page: Page, login: string) {
  await page.goto(`${base}/login`);
  await page.getByRole("button", { name: "Sign in with Test IdP" }).click();
  await page.waitForURL((u) => u.origin === idp.issuer);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("anything");
  await page.locator('button[type="submit"]').click();
}

async function start(port: number) {
  base = `http://127.0.0.1:${port}`;
  idp = await startOidcProvider({
    redirectUris: [`${base}/api/auth/callback/oidc`],
    people,
  });
  app = await startApp({
    dir: path.resolve(".test-data/e2e-oidc"), port, admin: ADMIN,
    env: {
      REGATTA_OIDC_ISSUER: idp.issuer, REGATTA_OIDC_CLIENT_ID: idp.clientId, REGATTA_OIDC_CLIENT_SECRET: idp.clientSecret,
      REGATTA_OIDC_NAME: "Test IdP", REGATTA_OIDC_DEFAULT_ROLE: "OPERATOR", REGATTA_OIDC_LINK_VERIFIED_EMAIL: "true",
      AUTH_URL: "", NEXTAUTH_URL: "",
    },
  });
}

test.beforeAll(async () => {
  test.setTimeout(300_000);
  // a free port can be taken by another process before the app listens on it: try another
  for (let attempt = 1; ; attempt++) {
    try {
      await start(await freePort());
      return;
    } catch (err) {
      await idp?.stop();
      if (attempt >= 3 || !/EADDRINUSE/.test(String(err))) throw err;
    }
  }
});

test.afterAll(async () => {
  await app?.stop();
  await idp?.stop();
});

test("a new person signs in through the IdP: back on Regatta's public origin, with the configured default role", async ({ page }) => {
  await signInWithIdp(page, "alice");
  await page.waitForURL(`${base}/`, { timeout: 30_000 });
  // the callback Regatta sent to the IdP was on the public origin, not Next's loopback port
  expect(idp.redirectUris.length).toBeGreaterThan(0);
  expect(idp.redirectUris.every((u) => u === `${base}/api/auth/callback/oidc`)).toBe(true);
  const me = await (await page.request.get(`${base}/api/v1/me`)).json();
  expect(me).toMatchObject({ email: "alice@oidc.e2e.test", role: "OPERATOR", name: "Alice Example" });
  const [row] = await sql<{ externalId: string }>(`SELECT "externalId" FROM "User" WHERE email = $1`, ["alice@oidc.e2e.test"]);
  expect(row.externalId).toBe(`${idp.issuer}|alice`);
});

test("an unverified email naming the admin does not take the admin's account", async ({ page }) => {
  await signInWithIdp(page, "mallory");
  await page.waitForURL((u) => u.origin === base && u.pathname === "/login");
  await expect(page.getByTestId("sso-error")).toContainText("already exists");
  await screenshot(page, "login-sso-refused");
  expect((await page.request.get(`${base}/api/v1/me`)).status()).toBe(401);
  const [admin] = await sql<{ externalId: string | null; role: string }>(`SELECT "externalId", role FROM "User" WHERE email = $1`, [ADMIN.email]);
  expect(admin).toEqual({ externalId: null, role: "ADMIN" });
  const [denied] = await sql<{ outcome: string }>(`SELECT outcome FROM "AuditEvent" WHERE action = 'auth.sign_in' AND actor = $1 ORDER BY id DESC LIMIT 1`, [ADMIN.email]);
  expect(denied.outcome).toBe("denied");
});

test("a verified email links to the existing local account (enabled by the admin), which keeps its role", async ({ page }) => {
  await sql(`INSERT INTO "User" (id, email, role, "updatedAt") VALUES (gen_random_uuid(), $1, 'VIEWER', now())`, ["carol@oidc.e2e.test"]);
  await signInWithIdp(page, "carol");
  await page.waitForURL(`${base}/`, { timeout: 30_000 });
  const me = await (await page.request.get(`${base}/api/v1/me`)).json();
  expect(me).toMatchObject({ email: "carol@oidc.e2e.test", role: "VIEWER" });
});

test("OIDC groups map to teams: a member sees only the team's registry, until the group is gone", async ({ page }) => {
  // two registries (rows only: the cards say they cannot be reached), a team for the IdP group
  // "platform-engineers" with a VIEWER grant on one of them, and dana known with the role NONE
  const [seen] = await sql<{ id: string }>(`INSERT INTO "Registry" (id, name, kind, endpoint, "updatedAt") VALUES (gen_random_uuid(), 'team-visible', 'GENERIC', 'http://127.0.0.1:9/', now()) RETURNING id`);
  const [hidden] = await sql<{ id: string }>(`INSERT INTO "Registry" (id, name, kind, endpoint, "updatedAt") VALUES (gen_random_uuid(), 'team-hidden', 'GENERIC', 'http://127.0.0.1:9/', now()) RETURNING id`);
  const [team] = await sql<{ id: string }>(`INSERT INTO "Team" (id, name, "oidcGroup", "updatedAt") VALUES (gen_random_uuid(), 'platform', 'platform-engineers', now()) RETURNING id`);
  await sql(`INSERT INTO "Grant" (id, "teamId", "registryId", "repositoryGlob", role) VALUES (gen_random_uuid(), $1, $2, '*', 'VIEWER')`, [team.id, seen.id]);
  await sql(`INSERT INTO "User" (id, email, role, "externalId", "updatedAt") VALUES (gen_random_uuid(), $1, 'NONE', $2, now())`, [people.dana.email, `${idp.issuer}|dana`]);

  await signInWithIdp(page, "dana");
  await page.waitForURL(`${base}/`, { timeout: 30_000 });
  const cards = page.getByTestId("registry-card");
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText("team-visible");
  await expect(page.getByText("team-hidden")).toHaveCount(0);
  for (const [w, h, name] of [[1280, 800, "teams-member-overview"], [390, 844, "teams-member-overview-phone"]] as const) {
    await page.setViewportSize({ width: w, height: h });
    await screenshot(page, name);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  // the other registry is missing for her, in the UI and in the API alike
  expect((await page.goto(`${base}/registries/${hidden.id}`))!.status()).toBe(404);
  expect((await page.request.get(`${base}/api/v1/registries/${hidden.id}`)).status()).toBe(404);
  expect((await page.request.get(`${base}/api/v1/registries/${seen.id}`)).status()).toBe(200);
  // her page says what she may do, and why
  await page.goto(`${base}/settings/access`);
  await expect(page.getByTestId("my-grant")).toContainText("team-visible");
  await expect(page.getByTestId("my-grant")).toContainText("team platform");
  for (const [w, h, name] of [[1280, 800, "teams-my-access"], [390, 844, "teams-my-access-phone"]] as const) {
    await page.setViewportSize({ width: w, height: h });
    await screenshot(page, name);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  const [member] = await sql<{ fromOidc: boolean }>(`SELECT "fromOidc" FROM "TeamMember" WHERE "teamId" = $1`, [team.id]);
  expect(member.fromOidc).toBe(true);

  // the IdP drops her from the group: at the next sign-in the team, and with it the registry, is gone
  people.dana.groups = ["unrelated"];
  await page.context().clearCookies();
  await signInWithIdp(page, "dana");
  await page.waitForURL((u) => u.origin === base, { timeout: 30_000 });
  expect(await sql(`SELECT 1 FROM "TeamMember" WHERE "teamId" = $1`, [team.id])).toEqual([]);
  expect((await page.request.get(`${base}/api/v1/registries/${seen.id}`)).status()).toBe(403);
});

test("Settings → Teams: the admin sees teams, members and grants", async ({ page }) => {
  await page.goto(`${base}/login`);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${base}/`, { timeout: 30_000 });
  await page.goto(`${base}/settings/teams`);
  const card = page.getByTestId("team-card").filter({ hasText: "platform" });
  await expect(card).toContainText("platform-engineers");
  await expect(card.getByTestId("grant-row")).toContainText("team-visible");
  // a bad glob is refused with its reason, and nothing is added
  await card.getByLabel("Repositories (glob)").fill("team/[");
  await card.getByRole("button", { name: "Add grant" }).click();
  await expect(card).toContainText("no closing ]");
  await expect(card.getByTestId("grant-row")).toHaveCount(1);
  await card.getByLabel("Registry").selectOption({ label: "team-visible" });
  await card.getByLabel("Repositories (glob)").fill("apps/*");
  await card.getByLabel("Role").selectOption("OPERATOR");
  await card.getByRole("button", { name: "Add grant" }).click();
  await expect(card.getByTestId("grant-row")).toHaveCount(2);
  await expect(card.getByTestId("grant-row").nth(1)).toContainText("operator on team-visible apps/*");
  for (const [w, h, name] of [[1280, 800, "teams-settings"], [390, 844, "teams-settings-phone"]] as const) {
    await page.setViewportSize({ width: w, height: h });
    await screenshot(page, name);
  }
});

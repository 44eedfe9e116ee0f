// axe-core on every page, at desktop and phone widths, in light and dark mode: no serious or
// critical violation; every page has a heading; a phone never scrolls sideways.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { seedStandard, startRegistry, type RunningRegistry } from "../test/harness";
import { screenshot } from "./helpers";

let reg: RunningRegistry;
let id = "";
const run = Date.now().toString(36);

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  reg = await startRegistry({ mode: "open", name: "a11y" });
  await seedStandard(reg);
  const res = await request.post("/api/v1/registries", { data: { name: `a11y-${run}`, kind: "GENERIC", endpoint: reg.url } });
  id = (await res.json()).id;
});

test.afterAll(async () => {
  await reg?.stop();
});

const pages = (): [string, string][] => [
  ["overview", "/"],
  ["repositories", `/registries/${id}`],
  ["tags", `/registries/${id}/tags?repository=demo/app`],
  ["manifest", `/registries/${id}/manifest?repository=demo/app&reference=1.0.0`],
  ["index", `/registries/${id}/manifest?repository=demo/multi&reference=1.0`],
  ["promotions", "/promotions"],
  ["pipeline", "/pipeline"],
  ["audit", "/audit"],
  ["settings-registries", "/settings/registries"],
  ["settings-pipeline", "/settings/pipeline"],
  ["settings-users", "/settings/users"],
  ["settings-tokens", "/settings/tokens"],
  ["settings-retention", "/settings/retention"],
  ["settings-notifications", "/settings/notifications"],
  ["compare", `/compare?${new URLSearchParams({ from: `${id}:demo/app:1.0.0`, to: `${id}:demo/app:1.1.0` })}`],
];

const SIZES = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;

async function check(page: Page, name: string) {
  await expect(page.getByRole("heading").first()).toBeVisible();
  // let the client parts settle (health, details) before judging
  await page.waitForLoadState("networkidle").catch(() => {});
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`), `${name}: serious/critical axe violations`).toEqual([]);
}

for (const scheme of ["light", "dark"] as const) {
  for (const [size, viewport] of Object.entries(SIZES)) {
    test(`every page passes axe (${size}, ${scheme})`, async ({ page }) => {
      test.setTimeout(180_000);
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, path] of pages()) {
        await page.goto(path);
        await check(page, `${name} ${size} ${scheme}`);
        if (size === "phone") {
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          // the widest culprits, to say where the page got too wide
          const wide = overflow > 0 ? await page.evaluate(() => [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(-3).map((e) => `${e.tagName}.${String((e as HTMLElement).className).slice(0, 60)}`)) : [];
          expect(overflow, `${name}: no horizontal scrolling at 390 px (${wide.join(" | ")})`).toBeLessThanOrEqual(0);
        }
        if (name === "overview" || name === "tags" || name === "manifest") await screenshot(page, `${name}-${size}-${scheme}`);
      }
    });
  }
}

test("the login page passes axe at both sizes", async ({ browser }) => {
  const ctx = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await ctx.newPage();
  for (const viewport of Object.values(SIZES)) {
    await page.setViewportSize(viewport);
    await page.goto("/login");
    await check(page, `login ${viewport.width}`);
  }
  await ctx.close();
});

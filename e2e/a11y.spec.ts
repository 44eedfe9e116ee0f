// axe-core on every page, at desktop and phone widths, in light and dark mode: no serious or
// critical violation; every page has a heading; a phone never scrolls sideways. Each page is
// loaded once and judged in the four combinations (every rule at desktop light and phone dark, colour contrast in all four).
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "./fixtures";
import { seedStandard, startRegistry, type RunningRegistry } from "../test/harness";
import { screenshot } from "./helpers";

// with reduced motion, which the app honours: a button eases its colours otherwise (.btn's 150 ms
// `transition`), and judged mid-way through a scheme switch its light text sat on a still-light
// background (three buttons in one CI run); the user's contrast is the one after the switch
test.use({ reducedMotion: "reduce" });

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
const COMBOS = (["light", "dark"] as const).flatMap((scheme) => (Object.keys(SIZES) as (keyof typeof SIZES)[]).map((size) => ({ scheme, size })));

/** Waits until the page shows its data rather than a placeholder (client parts: health, details). */
async function settled(page: Page) {
  await expect(page.getByRole("heading").first()).toBeVisible();
  await expect(page.getByText(/^(Loading|Reading both manifests)/)).toHaveCount(0, { timeout: 20_000 });
  await expect(page.locator(".animate-pulse:visible")).toHaveCount(0, { timeout: 20_000 });
}

/**
 * axe at WCAG 2.1 A/AA; `contrastOnly` runs just the rule the colour scheme changes (a full run is
 * ~3 s a page: every rule runs in desktop light and phone dark, so each size and each scheme gets
 * every rule once, and contrast is judged in all four).
 */
async function check(page: Page, name: string, contrastOnly = false) {
  await expect(page.getByRole("heading").first()).toBeVisible();
  const axe = new AxeBuilder({ page });
  const result = await (contrastOnly ? axe.withRules(["color-contrast"]) : axe.withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`), `${name}: serious/critical axe violations`).toEqual([]);
}

// One test a page (so a failure names it): loaded once, then judged at both sizes in both schemes
// (the viewport and the colour scheme change on the loaded page, without navigating again).
for (const [name] of pages()) {
  test(`${name} passes axe at desktop and phone, light and dark`, async ({ page }) => {
    const path = pages().find(([n]) => n === name)![1];
    // axe four times over a loaded page: seconds each on a busy machine
    test.setTimeout(150_000);
    await page.setViewportSize(SIZES.desktop);
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(path);
    await settled(page);
    for (const { scheme, size } of COMBOS) {
      await page.setViewportSize(SIZES[size]);
      await page.emulateMedia({ colorScheme: scheme });
      const full = (size === "desktop") === (scheme === "light");
      await check(page, `${name} ${size} ${scheme}${full ? "" : " (contrast)"}`, !full);
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

test("the login page passes axe at both sizes", async ({ browser }) => {
  const ctx = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await ctx.newPage();
  await page.goto("/login");
  for (const viewport of Object.values(SIZES)) {
    await page.setViewportSize(viewport);
    await check(page, `login ${viewport.width}`);
  }
  await ctx.close();
});

// The specs' `test`: Playwright's, with a page whose goto() returns once the app's page has
// hydrated (components/providers.tsx marks <html data-hydrated>). A key or a click sent before
// React attached its handlers is lost — a "/" that opens nothing — and on a loaded machine the
// script runs a second or more after the load event.
import { test as base, type Page } from "@playwright/test";

export * from "@playwright/test";

async function waitForHydration(page: Page) {
  await page.locator("html[data-hydrated]").waitFor({ state: "attached", timeout: 30_000 });
}

export const test = base.extend({
  page: async ({ page }, use) => {
    const goto = page.goto.bind(page);
    page.goto = async (url, options) => {
      const res = await goto(url, options);
      // the app's pages only (Next's scripts in them): not a JSON answer, not the OpenID provider's pages
      if (res?.ok() && (await page.locator('script[src*="/_next/static/"]').count()) > 0) await waitForHydration(page);
      return res;
    };
    await use(page);
  },
});

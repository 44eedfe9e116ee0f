// Pages run under a Content-Security-Policy without 'unsafe-inline' for scripts: each answer has its
// own nonce, Next's scripts carry it, the app hydrates and works, and Chromium reports no violation.
import { expect, test } from "./fixtures";

test("pages carry a per-answer script nonce, hydrate, and break no CSP rule; an injected inline script does not run", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (m.text().startsWith("CSP violation:")) violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${location.pathname}`));
  });
  const first = await page.goto("/");
  const second = await page.request.get("/");
  const csp = first!.headers()["content-security-policy"];
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(second.headers()["content-security-policy"]).not.toContain(nonce);
  // Next's inline scripts carry the nonce (the browser hides its value from the DOM attribute, not the property)
  const scripts = await page.evaluate(() => [...document.scripts].map((s) => ({ inline: !s.src, nonce: s.nonce ?? "" })));
  expect(scripts.filter((s) => s.inline).length).toBeGreaterThan(0);
  expect(scripts.every((s) => s.nonce === scripts[0].nonce && s.nonce.length > 0)).toBe(true);

  // hydrated on every page: client-side interaction works
  for (const path of ["/settings/tokens", "/audit", "/registries"]) {
    await page.goto(path);
    await expect(page.locator("html")).toHaveAttribute("data-hydrated", "");
  }
  await page.goto("/settings/tokens");
  await page.getByLabel("Name", { exact: true }).fill("csp-check");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByTestId("new-token")).toBeVisible();
  await page.getByRole("button", { name: "Revoke csp-check" }).first().click();
  await expect(page.getByRole("button", { name: "Revoke csp-check" })).toHaveCount(0);

  // markup injected into the page cannot run script (an inline event handler, the classic XSS)
  await page.evaluate(() => {
    const div = document.createElement("div");
    div.innerHTML = `<img src="data:," onload="window.__injected = true" onerror="window.__injected = true">`;
    document.body.appendChild(div);
  });
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected === true)).toBe(false);
  await expect.poll(() => violations.length).toBeGreaterThan(0);
  // the injected script's, nothing else
  expect(violations.length).toBeGreaterThan(0);
  expect(violations.every((v) => /^CSP violation: script-src(-attr)? inline \/settings\/tokens$/.test(v)), violations.join("\n")).toBe(true);
});

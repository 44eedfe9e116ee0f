// Browsing real registries (Debian's docker-registry) from the overview down to one platform's
// manifest; digests checked with skopeo. A registry stopped mid-session shows its own error.
import { expect, test } from "./fixtures";
import { seedStandard, skopeoInspect, startRegistry, type RunningRegistry } from "../test/harness";
import { screenshot } from "./helpers";

let regs: { open: RunningRegistry; basic: RunningRegistry; token: RunningRegistry };
const ids: Record<string, string> = {};
const run = Date.now().toString(36);

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  regs = {
    open: await startRegistry({ mode: "open", name: "e2e-open" }),
    basic: await startRegistry({ mode: "htpasswd", name: "e2e-basic" }),
    token: await startRegistry({ mode: "token", name: "e2e-token" }),
  };
  await Promise.all(Object.values(regs).map((r) => seedStandard(r)));
  for (const [name, r] of Object.entries(regs)) {
    const credentials = r.username ? { username: r.username, password: r.password } : undefined;
    const res = await request.post("/api/v1/registries", { data: { name: `browse-${name}-${run}`, kind: "GENERIC", endpoint: r.url, credentials } });
    expect(res.status()).toBe(201);
    ids[name] = (await res.json()).id;
  }
});

test.afterAll(async () => {
  await Promise.all(Object.values(regs ?? {}).map((r) => r.stop()));
});

for (const mode of ["open", "basic", "token"] as const) {
  test(`overview → ${mode} registry → multi-arch index → one platform, digests as skopeo sees them`, async ({ page }) => {
    const reg = regs[mode];
    await page.goto("/");
    await page.getByTestId("registry-card").filter({ hasText: `browse-${mode}-${run}` }).click();
    await expect(page.getByTestId("repositories")).toContainText("demo/multi");
    if (mode === "token") await screenshot(page, "registry");
    await page.getByRole("link", { name: "demo/multi" }).click();
    await page.getByRole("link", { name: "1.0", exact: true }).click();

    const index = await skopeoInspect(reg, "demo/multi:1.0", { raw: true });
    const indexDigest = (await skopeoInspect(reg, "demo/multi:1.0")).Digest;
    await expect(page.getByTestId("kind")).toHaveText("index");
    await expect(page.getByTestId("digest")).toHaveText(indexDigest);
    const arm = index.manifests.find((m: { platform: { architecture: string } }) => m.platform.architecture === "arm64");
    await expect(page.getByTestId("children")).toContainText("linux/arm64");
    if (mode === "token") await screenshot(page, "manifest-index");
    await page.getByTestId("children").getByRole("row").filter({ hasText: "linux/arm64" }).getByRole("link").click();
    await expect(page.getByTestId("digest")).toHaveText(arm.digest);
    await expect(page.getByTestId("kind")).toHaveText("image");
    await expect(page.getByText("arm64")).toBeVisible();
    if (mode === "token") await screenshot(page, "manifest-image");
  });
}

test("1,500 tags listed and filtered by glob", async ({ page }) => {
  await page.goto(`/registries/${ids.open}/tags?repository=demo/many`);
  await expect(page.getByTestId("tag-count")).toHaveText("1500 of 1500 tags");
  await page.getByLabel("Filter tags").fill("v00?5");
  await expect(page.getByTestId("tag-count")).toHaveText("10 of 1500 tags") // v0005, v0015 … v0095;
  await screenshot(page, "tags");
});

test("a cold table of a token registry asks its token server once: the page and the API share one client (Next bundles them apart)", async ({ page }) => {
  const asked = () => regs.token.tokenServer!.log.filter((e) => e.scopes.includes("repository:demo/many:pull")).length;
  const before = asked();
  await page.goto(`/registries/${ids.token}/tags?repository=demo/many`);
  await expect(page.getByTestId("details-progress")).toHaveAttribute("data-state", "done", { timeout: 60_000 });
  expect(asked() - before).toBe(1);
});

/** Counts layout shifts not caused by input, and what moved (the e2e's message names it). */
async function watchShifts(page: import("@playwright/test").Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { shifted: number; moved: string[] };
    w.shifted = 0;
    w.moved = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as { value: number; hadRecentInput: boolean; startTime: number; sources?: { node?: Node; previousRect: DOMRectReadOnly; currentRect: DOMRectReadOnly }[] }[]) {
        if (e.hadRecentInput) continue;
        w.shifted += e.value;
        for (const s of e.sources ?? []) {
          const el = s.node instanceof Element ? s.node : s.node?.parentElement;
          w.moved.push(`${Math.round(e.startTime)} ms ${el?.tagName.toLowerCase() ?? "?"}${el?.getAttribute("data-testid") ? `[${el.getAttribute("data-testid")}]` : ""} ${Math.round(s.previousRect.y)}→${Math.round(s.currentRect.y)}`);
        }
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
  return async (size: { width: number }) => {
    const { shifted, moved } = await page.evaluate(() => {
      const w = window as unknown as { shifted: number; moved: string[] };
      return { shifted: w.shifted, moved: w.moved };
    });
    expect(shifted, `at ${size.width} px: ${moved.join("; ")}`).toBeLessThan(0.001);
    // and nothing wider than the screen (an admin's header was 1,321 px wide at 1,280)
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `at ${size.width} px`).toBeLessThanOrEqual(size.width);
  };
}

const SIZES = [{ width: 1280, height: 800 }, { width: 390, height: 844 }];

test("a tag's manifest page holds still while its late parts load (signatures, who pushed, history): no layout shift, desktop and phone", async ({ page }) => {
  // a part that comes late and pushes what is below it makes a click aimed there land elsewhere
  const still = await watchShifts(page);
  const manifest = `/registries/${ids.basic}/manifest?repository=demo/multi&reference=1.0`;
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.goto(manifest);
    await expect(page.getByTestId("last-push")).toContainText(/not known|Last /);
    await page.waitForLoadState("networkidle"); // the history, signatures and stages are in too
    await page.waitForTimeout(300);
    await still(size);
  }
});

test("a 1,500-tag table holds still from its first screen until every row is filled: no layout shift, desktop and phone", async ({ page }) => {
  const still = await watchShifts(page);
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.goto(`/registries/${ids.open}/tags?repository=demo/many`);
    await expect(page.getByTestId("details-progress")).toHaveAttribute("data-state", "done", { timeout: 60_000 });
    await page.waitForTimeout(300);
    await still(size);
  }
});

test("a registry stopped mid-session shows its own error while the others keep working", async ({ page }) => {
  const victim = await startRegistry({ mode: "open", name: "e2e-victim" });
  const res = await page.request.post("/api/v1/registries", { data: { name: "browse-victim", kind: "GENERIC", endpoint: victim.url } });
  const id = (await res.json()).id;
  await page.goto(`/registries/${id}`);
  await expect(page.getByTestId("repositories")).toContainText("No repository");
  await victim.stop();
  await page.reload();
  await expect(page.getByTestId("error")).toContainText(victim.host);
  await screenshot(page, "registry-down");
  await page.goto(`/registries/${ids.open}`);
  await expect(page.getByTestId("repositories")).toContainText("demo/app");
  const api = await page.request.get(`/api/v1/registries/${id}/repositories`);
  expect(api.status()).toBe(502);
  expect((await api.json()).error.code).toBe("NETWORK");
});

// Diagnostic: where a tag-table visit's time goes, from the page's own Resource Timing (every
// request's start and end, and the Server-Timing of the details batches). Not part of `npm run bench`.
//   npx tsx scripts/bench/browse-split.ts      (BENCH_TENK_TAGS=10000, SPLIT_RUNS=2)
import os from "node:os";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { startApp } from "../lib/app-server";
import { pushImage, pushManyTags, seedStandard, startRegistry, type RunningRegistry } from "../../test/harness";
import { firstScreenComplete, runMain, signedInWithRegistry, sql } from "./measure";

const ADMIN = { email: "admin@bench-split.test", password: "bench-split-password-1" };
const TENK_TAGS = Number(process.env.BENCH_TENK_TAGS ?? 10_000);
const RUNS = Number(process.env.SPLIT_RUNS ?? 2);
const log = (s: string) => process.stderr.write(`${s}\n`);

async function timeline(page: Page) {
  // no named functions inside: tsx would wrap them in a helper the page does not have
  const t = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
    const res = (performance.getEntriesByType("resource") as PerformanceResourceTiming[]).filter((e) => e.name.includes("/api/"));
    return {
      nav: [nav.requestStart, nav.responseStart, nav.responseEnd, nav.domContentLoadedEventEnd],
      res: res.map((e) => ({ kind: e.initiatorType, name: e.name, t: [e.startTime, e.responseStart, e.responseEnd], bytes: e.encodedBodySize, st: e.serverTiming.map((x) => [x.name, x.duration] as [string, number]) })),
    };
  });
  const r = Math.round;
  return [
    `html ${t.nav.slice(0, 3).map(r).join("→")} domReady ${r(t.nav[3]!)}`,
    ...t.res.map((e) => `${e.kind} ${e.name.replace(/^.*\/api\/v1\/registries\/[^/]+/, "")} ${e.t.map(r).join("→")} ${e.bytes}B ${e.st.map(([k, v]) => `${k}=${r(v)}`).join(" ")}`),
  ].join("\n");
}


async function main() {
  log(`load ${os.loadavg().map((l) => l.toFixed(2)).join(" / ")}`);
  const app = await startApp({ dir: path.resolve(".test-data/bench-split"), port: Number(process.env.SPLIT_PORT || 3316), admin: ADMIN });
  let reg: RunningRegistry | undefined;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  try {
    reg = await startRegistry({ mode: "open", name: "bench-split" });
    await seedStandard(reg);
    await pushImage(reg, "demo/tenk:seed", { layers: [{ files: { "tenk.txt": "ten thousand tags\n" } }] });
    await pushManyTags(reg, "demo/tenk", TENK_TAGS, "seed", { name: (i) => `t${String(i).padStart(5, "0")}`, concurrency: 32 });
    const { page, id, url } = await signedInWithRegistry(browser, app.url, ADMIN, "bench-split", reg.url);
    const visit = async (repository: string, timeout = 90_000) => {
      const t0 = performance.now();
      await page.goto(url(repository), { waitUntil: "commit" });
      const screen = firstScreenComplete(page);
      await page.locator('[data-testid="details-progress"][data-state="done"]').waitFor({ timeout });
      return { screen: await screen, done: performance.now() - t0 };
    };
    await visit("demo/app");
    for (let i = 0; i < RUNS; i++) {
      await sql(app.databaseUrl, `DELETE FROM "TagRecord" WHERE "registryId" = $1 AND repository = 'demo/many'`, [id]);
      await sql(app.databaseUrl, `DELETE FROM "ManifestInfo"`);
      await page.goto("about:blank");
      const v = await visit("demo/many");
      log(`\n== cold demo/many: first screen ${Math.round(v.screen)} ms, done ${Math.round(v.done)} ms (load ${os.loadavg()[0]!.toFixed(1)})\n${await timeline(page)}`);
    }
    await visit("demo/tenk", 900_000);
    for (let i = 0; i < RUNS; i++) {
      await page.goto("about:blank");
      const t0 = performance.now();
      await page.goto(url("demo/tenk"), { waitUntil: "commit" });
      await page.locator('[data-testid="tag-row"] [data-col="size"]:has-text("B")').first().waitFor();
      const first = performance.now() - t0;
      await page.getByTestId("sort-pushedAt").click();
      await page.locator('[role="columnheader"][aria-sort="descending"]').waitFor();
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
      const sorted = performance.now() - t0;
      log(`\n== second visit tenk: first rows ${Math.round(first)} ms, sorted ${Math.round(sorted)} ms (load ${os.loadavg()[0]!.toFixed(1)})\n${await timeline(page)}`);
    }
  } finally {
    await browser.close();
    await reg?.stop();
    await app.stop();
  }
}

runMain(main);

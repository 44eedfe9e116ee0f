// Diagnostic: the CPU each kind of process spends during a cold 1,500-tag table fill (the app's
// Node, PostgreSQL, the registry, Chromium), against the wall time and the plain HEAD loop's.
//   npx tsx scripts/bench/fill-cpu.ts        (CPU_PROFILE_DIR=dir: the app's CPU profile of each fill there)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import { startApp } from "../lib/app-server";
import { seedStandard, startRegistry, type RunningRegistry } from "../../test/harness";
import { cpuByComm, cpuSince, groupNodePids, headFloor, processCpuMs, runMain, signedInWithRegistry, sql } from "./measure";

const ADMIN = { email: "admin@bench-cpu.test", password: "bench-cpu-password-1" };
const log = (s: string) => process.stderr.write(`${s}\n`);

const diff = (a: Map<string, number>, b: Map<string, number>) => cpuSince(a, b).map(([k, v]) => `${k} ${Math.round(v)}`).join(", ");

async function main() {
  const profile = process.env.CPU_PROFILE_DIR ? path.resolve(process.env.CPU_PROFILE_DIR) : undefined;
  if (profile) fs.mkdirSync(profile, { recursive: true });
  const app = await startApp({ dir: path.resolve(".test-data/bench-cpu"), port: 3318, admin: ADMIN,
    env: profile ? { NODE_OPTIONS: `--require ${path.resolve("scripts/bench/cpu-profile-preload.cjs")}`, CPU_PROFILE_DIR: profile } : {} });
  let reg: RunningRegistry | undefined;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  try {
    reg = await startRegistry({ mode: "open", name: "bench-cpu" });
    await seedStandard(reg);
    const { page, id, url } = await signedInWithRegistry(browser, app.url, ADMIN, "bench-cpu", reg.url);
    await page.goto(url("demo/app"));
    await page.locator('[data-testid="details-progress"][data-state="done"]').waitFor({ timeout: 60_000 });
    // the pages' RSC requests (Next's link prefetches) during each fill
    let rsc: string[] = [];
    page.on("request", (r) => { if (/[?&]_rsc=/.test(r.url())) rsc.push(r.url().replace(/^https?:\/\/[^/]+/, "").replace(/[?&]_rsc=.*$/, "")); });
    const appCpu = () => groupNodePids(app.pid).reduce((t, p) => t + processCpuMs(p), 0);
    for (let i = 0; i < Number(process.env.FILLS ?? 3); i++) {
      await sql(app.databaseUrl, `DELETE FROM "TagRecord" WHERE "registryId" = $1 AND repository = 'demo/many'`, [id]);
      await page.goto("about:blank");
      await new Promise((r) => setTimeout(r, 1000));
      if (profile) process.kill(app.pid, "SIGUSR2"); // what came before the fill goes to its own file
      rsc = [];
      const a = cpuByComm();
      const appBefore = appCpu();
      const t0 = performance.now();
      await page.goto(url("demo/many"), { waitUntil: "commit" });
      await page.locator('[data-testid="details-progress"][data-state="done"]').waitFor({ timeout: 120_000 });
      const wall = performance.now() - t0;
      if (profile) process.kill(app.pid, "SIGUSR2");
      log(`fill ${Math.round(wall)} ms (load ${os.loadavg()[0]!.toFixed(1)}); CPU ms: app ${Math.round(appCpu() - appBefore)}; ${diff(a, cpuByComm())}; RSC requests ${rsc.length} (${[...new Set(rsc)].length} pages)`);
      const names = (await (await page.request.get(`/api/v1/registries/${id}/tags?repository=demo/many&fields=name`)).json()).tags.map((t: { name: string }) => t.name) as string[];
      const b = cpuByComm();
      const floorMs = await headFloor(reg, "demo/many", names);
      log(`floor ${Math.round(floorMs)} ms; CPU ms: ${diff(b, cpuByComm())}`);
    }
  } finally {
    await browser.close();
    await reg?.stop();
    await app.stop();
  }
}

runMain(main);

import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "@playwright/test";

const HEADLESS_SHELL = "/usr/bin/chromium-headless-shell";
const port = Number(process.env.E2E_PORT || 3210);
const dir = path.resolve(process.env.E2E_DIR || ".test-data/e2e");

// Lanes: `npm test` runs the specs as two Playwright runs side by side (E2E_LANE=1/2 and 2/2), each
// with its own app, database and port (scripts/test.sh); within a lane specs run one at a time on
// one shared app, as they are written to. Specs go to lanes by their measured seconds, heaviest first
// into the lighter lane; a spec not listed counts 15 s. The seconds are each spec's wall time in a
// clean-clone run of both lanes on this 2-core machine (headless shell): from the previous spec's last
// test to its own, so its beforeAll hooks count too (tag-table's 10,000-tag push is 120 s of its 157).
const SECONDS: Record<string, number> = {
  a11y: 221, vendors: 190, "tag-table": 157, promote: 86, load: 78, "honest-ui": 68, browse: 62, oidc: 41, foundation: 33,
  pleasant: 30, search: 19, "data-hardening": 18, tokens: 16, signatures: 15, compare: 12, notifications: 10, retention: 10,
  audit: 8, visibility: 8, csp: 7, "webhook-panel": 6,
};

function laneMatch(): RegExp {
  const [lane, lanes] = (process.env.E2E_LANE || "1/1").split("/").map(Number) as [number, number];
  if (lanes <= 1) return /.*\.spec\.ts/;
  const specs = fs.readdirSync(path.resolve("e2e")).filter((f: string) => f.endsWith(".spec.ts")).map((f: string) => f.replace(/\.spec\.ts$/, ""));
  const load = Array<number>(lanes).fill(0);
  const mine: string[] = [];
  for (const spec of [...specs].sort((a, b) => (SECONDS[b] ?? 15) - (SECONDS[a] ?? 15) || a.localeCompare(b))) {
    const lightest = load.indexOf(Math.min(...load));
    load[lightest]! += SECONDS[spec] ?? 15;
    if (lightest === lane - 1) mine.push(spec);
  }
  return new RegExp(`(^|/)(${mine.map((s) => s.replace(/[-.]/g, "\\$&")).join("|")})\\.spec\\.ts$`);
}

export default defineConfig({
  testDir: "e2e",
  outputDir: path.join(dir, "playwright"),
  // two lanes share two cores with their apps, registries and browsers: waits are for behaviour, not
  // speed (speed has its own figures: `npm run bench`)
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  globalSetup: "./e2e/global-setup.ts",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: "only-on-failure",
    launchOptions: {
      // Chromium's headless shell (Debian's chromium-headless-shell: the same Blink, no browser UI) runs these
      // specs in two thirds of the time the full browser takes (the axe spec: 100 s against 157 s, alone);
      // the README's screenshots (docs/screenshots) come from these specs, so from the shell; the benches keep the full browser
      executablePath: process.env.CHROMIUM_PATH || (fs.existsSync(HEADLESS_SHELL) ? HEADLESS_SHELL : "/usr/bin/chromium"),
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    { name: "e2e", testMatch: laneMatch(), dependencies: ["setup"], use: { storageState: path.join(dir, "admin.json") } },
  ],
});

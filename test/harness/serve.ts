// Start the three harness registries (open, htpasswd, token), seed them and keep them running.
//   npx tsx test/harness/serve.ts [--no-seed] [--big[=MiB]] [--json-file PATH]
// Prints one JSON document on stdout when ready (progress goes to stderr); Ctrl-C stops everything.
import fs from "node:fs";
import { seedStandard, pushBigImage, type StandardSeed } from "./seed";
import { startRegistry, type RegistryMode, type RunningRegistry } from "./registry";

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const jsonFileIdx = args.indexOf("--json-file");
const jsonFile = jsonFileIdx >= 0 ? args[jsonFileIdx + 1] : undefined;
const bigFlag = flag("big");
const bigMiB = bigFlag ? Number(bigFlag.split("=")[1] ?? 120) : 0;

const MODES: RegistryMode[] = ["open", "htpasswd", "token"];
const registries: RunningRegistry[] = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    process.stderr.write("stopping registries…\n");
    await Promise.allSettled(registries.map((r) => r.stop()));
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  const t0 = performance.now();
  registries.push(...(await Promise.all(MODES.map((mode) => startRegistry({ mode })))));
  process.stderr.write(`registries up in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  let seeds: StandardSeed[] = [];
  if (!flag("no-seed")) {
    seeds = await Promise.all(registries.map(seedStandard));
    process.stderr.write(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const big = bigMiB > 0 ? await Promise.all(registries.map((r) => pushBigImage(r, "big:1", bigMiB))) : [];
  const out = {
    registries: registries.map((r, i) => ({
      name: r.name, mode: r.mode, url: r.url, host: r.host,
      username: r.username, password: r.password,
      tokenRealm: r.tokenServer?.url, tokenService: r.tokenServer?.service,
      logPath: r.logPath, dataDir: r.dataDir,
      digests: seeds[i]?.digests, bigImage: big[i] ? { ref: "big:1", digest: big[i].digest } : undefined,
    })),
    seedSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
  };
  const json = JSON.stringify(out, null, 2);
  if (jsonFile) fs.writeFileSync(jsonFile, json + "\n");
  process.stdout.write(json + "\n");
  process.stderr.write("ready; Ctrl-C to stop\n");
  setInterval(() => {}, 1 << 30); // keep the event loop alive
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  await shutdown(1);
}

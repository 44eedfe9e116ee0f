// `npm run bench`: lib/registry against skopeo on the same real registries (CNCF distribution 2.8
// from the test harness), in one run. Prints a Markdown report and writes it into
// docs/BENCHMARKS.md (between the bench markers; the text around them is kept).
//   BENCH_RUNS=7 BENCH_COPY_RUNS=7 BENCH_BIG_MIB=200 npm run bench [-- --no-write]
//   npx tsx scripts/bench/run.ts --product: only the promotions through the API (scripts/bench/promote.ts)
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { copyImage, RegistryClient, retag } from "../../lib/registry";
import {
  pushBigImage, seedStandard, skopeoListTags, startRegistry, toolVersions, tools,
  type RegistryMode, type RunningRegistry,
} from "../../test/harness";
import type { WorkerConfig, WorkerResult } from "./copy-worker";
import { blobTraffic, logMark, logSince, median, MiB, processCpuMs, registryPid, timed, type BlobTraffic } from "./measure";
import { benchPromotions } from "./promote";
import { renderReport, writeReport, type BenchResults } from "./report";
import {
  forgetSkopeoBlobLocations, hasGnuTime, prepareSkopeo, skopeoCopyArgs, timedSkopeo, timedSkopeoWithRusage, type TimeV,
} from "./skopeo-tools";

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const COPY_RUNS = Number(process.env.BENCH_COPY_RUNS ?? 7);
const BIG_MIB = Number(process.env.BENCH_BIG_MIB ?? 200);
const WRITE = !process.argv.includes("--no-write");
const MODES: RegistryMode[] = ["open", "htpasswd", "token"];
const UA = "regatta-bench";

const log = (s: string) => process.stderr.write(`${s}\n`);

function clientFor(reg: RunningRegistry, userAgent = UA): RegistryClient {
  const credentials = reg.username ? { username: reg.username, password: reg.password! } : undefined;
  return new RegistryClient({ endpoint: reg.url, credentials, userAgent });
}

function blobSizes(json: unknown): Map<string, number> {
  const m = json as { config: { digest: string; size: number }; layers: { digest: string; size: number }[] };
  return new Map([m.config, ...m.layers].map((d) => [d.digest, d.size]));
}

/** Our side of the cross-registry copy runs in a child process (see copy-worker.ts). */
async function startWorker(config: WorkerConfig) {
  const child = spawn(process.execPath, [...process.execArgv, path.join(import.meta.dirname, "copy-worker.ts"), JSON.stringify(config)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error("copy worker exited");
    return JSON.parse(value as string);
  };
  const ready = (await next()) as { rssStartMiB: number; rssReadyMiB: number };
  return {
    ready,
    async run(kind: "lib" | "fetch", repository: string): Promise<WorkerResult> {
      child.stdin!.write(`${JSON.stringify({ kind, repository })}\n`);
      const r = (await next()) as WorkerResult;
      if (r.error) throw new Error(`${kind} copy to ${repository} failed: ${r.error}`);
      return r;
    },
    async stop() {
      child.stdin!.end(`${JSON.stringify({ kind: "exit" })}\n`);
      await new Promise((r) => child.once("exit", r));
    },
  };
}

async function main(): Promise<BenchResults> {
  const startedAt = new Date();
  const loadStart = os.loadavg();
  tools();
  prepareSkopeo();
  const versions = await toolVersions();
  log(`tools: ${JSON.stringify(versions)}`);

  const regs = {} as Record<RegistryMode, RunningRegistry>;
  try {
    const t0 = performance.now();
    await Promise.all(MODES.map(async (mode) => { regs[mode] = await startRegistry({ mode, name: `bench-${mode}` }); }));
    await Promise.all(MODES.map((mode) => seedStandard(regs[mode])));
    const big = await pushBigImage(regs.open, "big:1", BIG_MIB);
    log(`registries started and seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s (big image ${BIG_MIB} MiB)`);

    // ---- listing 1,500 tags -------------------------------------------------------------
    const listing: BenchResults["listing"] = [];
    for (const mode of MODES) {
      const reg = regs[mode];
      const warm = clientFor(reg);
      const expected = (await warm.listTags("demo/many")).length;
      const row = { mode, tags: expected, oursCold: [] as number[], oursWarm: [] as number[], skopeo: [] as number[] };
      for (let i = 0; i < RUNS; i++) {
        const cold = await timed(() => clientFor(reg).listTags("demo/many"));
        const hot = await timed(() => warm.listTags("demo/many"));
        const sk = await timed(() => skopeoListTags(reg, "demo/many"));
        if (cold.value.length !== expected || hot.value.length !== expected || sk.value.length !== expected) {
          throw new Error(`${mode}: tag counts differ (${cold.value.length}, ${hot.value.length}, skopeo ${sk.value.length})`);
        }
        row.oursCold.push(cold.ms);
        row.oursWarm.push(hot.ms);
        row.skopeo.push(sk.ms);
      }
      listing.push(row);
      log(`list-tags ${mode}: ours ${median(row.oursCold).toFixed(0)} ms (warm ${median(row.oursWarm).toFixed(0)}), skopeo ${median(row.skopeo).toFixed(0)} ms`);
    }

    // ---- retag in one repository ----------------------------------------------------------
    const retags: BenchResults["retag"] = [];
    for (const mode of MODES) {
      const reg = regs[mode];
      const warm = clientFor(reg);
      await warm.ping();
      const source = (await warm.headManifest("demo/app", "1.0.0"))!.digest;
      const row = { mode, oursCold: [] as number[], oursWarm: [] as number[], skopeo: [] as number[], oursRequests: [] as number[], skopeoRequests: [] as number[] };
      for (let i = 0; i < RUNS; i++) {
        let at = logMark(reg);
        row.oursCold.push((await timed(() => retag(clientFor(reg), "demo/app", "1.0.0", `bench-ours-${i}`))).ms);
        row.oursRequests.push((await logSince(reg, at)).length);
        row.oursWarm.push((await timed(() => retag(warm, "demo/app", "1.0.0", `bench-warm-${i}`))).ms);
        at = logMark(reg);
        row.skopeo.push(await timedSkopeo(skopeoCopyArgs(reg, "demo/app:1.0.0", reg, `demo/app:bench-sk-${i}`)));
        row.skopeoRequests.push((await logSince(reg, at)).length);
        for (const tag of [`bench-ours-${i}`, `bench-warm-${i}`, `bench-sk-${i}`]) {
          if ((await warm.headManifest("demo/app", tag))?.digest !== source) throw new Error(`${mode}: retag ${tag} has the wrong digest`);
        }
      }
      retags.push(row);
      log(`retag ${mode}: ours ${median(row.oursCold).toFixed(0)} ms (warm ${median(row.oursWarm).toFixed(0)}), skopeo ${median(row.skopeo).toFixed(0)} ms`);
    }

    // ---- promote to another repository of the same registry -------------------------------
    // The small demo image in every mode, and the big image in the open registry.
    const promote: BenchResults["promote"] = [];
    const cases = [...MODES.map((mode) => ({ mode, repository: "demo/app", tag: "1.0.0" })), { mode: "open" as RegistryMode, repository: "big", tag: "1" }];
    for (const { mode, repository, tag } of cases) {
      const reg = regs[mode];
      const probe = clientFor(reg);
      const manifest = await probe.getManifest(repository, tag);
      const sizes = blobSizes(manifest.json);
      const name = repository.replace(/\//g, "-");
      forgetSkopeoBlobLocations(); // skopeo's first run starts without knowing where blobs are
      const row = { mode, image: `${repository}:${tag}`, imageBytes: [...sizes.values()].reduce((a, b) => a + b, 0), ours: [] as number[], skopeo: [] as number[], oursTraffic: [] as BlobTraffic[], skopeoTraffic: [] as BlobTraffic[] };
      for (let i = 0; i < RUNS; i++) {
        let at = logMark(reg);
        const c = clientFor(reg);
        row.ours.push((await timed(() => copyImage({ client: c, repository, reference: tag }, { client: c, repository: `promote-ours-${i}/${name}`, tag }))).ms);
        row.oursTraffic.push(blobTraffic(await logSince(reg, at), sizes));
        at = logMark(reg);
        row.skopeo.push(await timedSkopeo(skopeoCopyArgs(reg, `${repository}:${tag}`, reg, `promote-sk-${i}/${name}:${tag}`)));
        row.skopeoTraffic.push(blobTraffic(await logSince(reg, at), sizes));
        for (const repo of [`promote-ours-${i}/${name}`, `promote-sk-${i}/${name}`]) {
          if ((await probe.headManifest(repo, tag))?.digest !== manifest.digest) throw new Error(`${mode}: ${repo} has the wrong digest`);
        }
      }
      promote.push(row);
      log(`promote ${row.image} ${mode}: ours ${median(row.ours).toFixed(0)} ms, ${row.oursTraffic.map((t) => t.bytesUploaded).join("/")} B; skopeo ${median(row.skopeo).toFixed(0)} ms, ${row.skopeoTraffic.map((t) => t.bytesUploaded).join("/")} B`);
    }

    // ---- cross-registry copy of the big image (open → htpasswd) ----------------------------
    const src = regs.open;
    const dst = regs.htpasswd;
    const bigManifest = await clientFor(src).getManifest("big", "1");
    const bigSizes = blobSizes(bigManifest.json);
    const imageBytes = [...bigSizes.values()].reduce((a, b) => a + b, 0);
    const worker = await startWorker({
      source: { url: src.url, repository: "big", reference: "1" },
      target: { url: dst.url, username: dst.username, password: dst.password, tag: "1" },
      userAgent: UA,
    });
    const copy: BenchResults["copy"] = {
      imageBytes, layerBytes: big.layerSize, ours: [], raw: [], skopeo: [], skopeoTraffic: [], gnuTime: hasGnuTime(),
      worker: worker.ready, registryCpu: { ours: [], skopeo: [], raw: [] },
    };
    // CPU the two registry processes spend during each copy (from /proc), to see what limits throughput.
    const pids = [registryPid(src), registryPid(dst)];
    const cpu = () => pids.map(processCpuMs);
    const during = async <T>(into: { source: number; target: number }[], fn: () => Promise<T>): Promise<T> => {
      const before = cpu();
      const value = await fn();
      const after = cpu();
      into.push({ source: after[0]! - before[0]!, target: after[1]! - before[1]! });
      return value;
    };
    try {
      const check = clientFor(dst);
      for (let i = 0; i < COPY_RUNS; i++) {
        const ours = await during(copy.registryCpu.ours, () => worker.run("lib", `copy-ours-${i}/big`));
        if (ours.bytes !== imageBytes || ours.digest !== big.digest) throw new Error(`our copy moved ${ours.bytes} B, digest ${ours.digest}`);
        copy.ours.push(ours);
        forgetSkopeoBlobLocations();
        const at = logMark(dst);
        const args = skopeoCopyArgs(src, "big:1", dst, `copy-sk-${i}/big:1`);
        const sk: TimeV = await during(copy.registryCpu.skopeo, async () =>
          copy.gnuTime ? timedSkopeoWithRusage(args) : { wallMs: await timedSkopeo(args), maxRssKiB: NaN, userS: NaN, sysS: NaN });
        copy.skopeo.push(sk);
        copy.skopeoTraffic.push(blobTraffic(await logSince(dst, at), bigSizes));
        copy.raw.push(await during(copy.registryCpu.raw, () => worker.run("fetch", `copy-raw-${i}/big`)));
        for (const repo of [`copy-ours-${i}/big`, `copy-sk-${i}/big`]) {
          if ((await check.headManifest(repo, "1"))?.digest !== big.digest) throw new Error(`${repo} has the wrong digest`);
        }
        log(`copy run ${i + 1}: ours ${(imageBytes / MiB / (ours.ms / 1000)).toFixed(0)} MiB/s (+${(ours.rssPeakMiB - ours.rssBeforeMiB).toFixed(0)} MiB RSS), skopeo ${(imageBytes / MiB / (sk.wallMs / 1000)).toFixed(0)} MiB/s, bare fetch ${(big.layerSize / MiB / (copy.raw.at(-1)!.ms / 1000)).toFixed(0)} MiB/s`);
      }
    } finally {
      await worker.stop();
    }

    return {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: {
        cpus: os.availableParallelism(),
        cpuModel: os.cpus()[0]?.model ?? "unknown",
        memoryGiB: os.totalmem() / 1024 ** 3,
        node: process.version,
        platform: `${os.type()} ${os.release()} ${os.arch()}`,
        loadStart,
        loadEnd: os.loadavg(),
        registry: versions.registry ?? "unknown",
        skopeo: versions.skopeo ?? "unknown",
        umoci: versions.umoci ?? "unknown",
      },
      runs: RUNS,
      copyRuns: COPY_RUNS,
      bigMiB: BIG_MIB,
      listing,
      retag: retags,
      promote,
      copy,
    };
  } finally {
    await Promise.allSettled(Object.values(regs).map((r) => r.stop()));
  }
}

// --product: only the dashboard's own paths (the library's section of docs/BENCHMARKS.md stays as it was)
if (!process.argv.includes("--product")) {
  const results = await main();
  const markdown = renderReport(results);
  process.stdout.write(`${markdown}\n`);
  if (WRITE) log(`written to ${writeReport(markdown)}`);
}

// the dashboard's own paths, on a running Regatta
const promotions = await benchPromotions();
process.stdout.write(`${promotions}\n`);
if (WRITE) writeReport(promotions, "promote");
process.exit(0);

// Small measuring helpers for the benchmark: medians, timers and the registry access log.
import type { Browser, BrowserContext, Page } from "@playwright/test";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import pg from "pg";
import type { AccessLogEntry, RunningRegistry } from "../../test/harness";

export const MiB = 1024 * 1024;

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Position in the registry's access log. */
export const logMark = (reg: RunningRegistry) => reg.accessLog().length;

/** Access-log entries after `from`, once the log has stopped growing. */
export const logSince = (reg: RunningRegistry, from: number): Promise<AccessLogEntry[]> => reg.settledAccessLog(from);

const isUploadPath = (path: string) => /^\/v2\/.+\/blobs\/uploads\//.test(path);

export interface BlobTraffic {
  /** Blob bytes sent to the registry: every finished upload ends in PUT <upload URL>?...digest=<d>. */
  bytesUploaded: number;
  /** PATCH/PUT requests on upload URLs (the only ones that can carry blob data). */
  dataRequests: number;
  /** POST ?mount= answered 201 (linked by the registry, no bytes). */
  mounts: number;
  requests: number;
}

/**
 * Blob traffic from the access log. The log has no request sizes, so bytes are the sizes (from
 * the manifests, `sizes`) of the blobs whose upload was completed with PUT ?digest= (201); a
 * PATCH without its closing PUT would not be counted, which is why dataRequests is reported too.
 */
export function blobTraffic(entries: AccessLogEntry[], sizes: Map<string, number>): BlobTraffic {
  let bytesUploaded = 0;
  let dataRequests = 0;
  let mounts = 0;
  for (const e of entries) {
    if (!isUploadPath(e.path)) continue;
    const query = new URLSearchParams(e.path.split("?")[1] ?? "");
    if (e.method === "POST" && query.has("mount") && e.status === 201) mounts++;
    if (e.method === "PATCH" || e.method === "PUT") dataRequests++;
    const digest = query.get("digest");
    if (e.method === "PUT" && e.status === 201 && digest) {
      const size = sizes.get(digest);
      if (size === undefined) throw new Error(`upload of unknown blob ${digest}`);
      bytesUploaded += size;
    }
  }
  return { bytesUploaded, dataRequests, mounts, requests: entries.length };
}

export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

export function fmtBytes(n: number): string {
  if (n === 0) return "0 B";
  if (n < 1024) return `${n} B`;
  if (n < MiB) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / MiB).toFixed(1)} MiB`;
}

/** The docker-registry process serving `reg` (found by its config path in /proc; Linux only). */
export function registryPid(reg: RunningRegistry): number | undefined {
  let dirs: string[];
  try {
    dirs = fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const d of dirs) {
    try {
      const argv = fs.readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0");
      if (path.basename(argv[0] ?? "") === "docker-registry" && argv.includes(reg.configPath)) return Number(d);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

/** A process's command name and the fields of /proc/<pid>/stat after it (field 3, its state, is [0]); undefined if gone. */
function readStat(pid: number | string): { comm: string; fields: string[] } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return { comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), fields: stat.slice(stat.lastIndexOf(")") + 2).split(" ") };
  } catch {
    return undefined; // gone, or not ours to read
  }
}

/** Every process now, from /proc; Linux only. */
export function processes(): { pid: number; comm: string; fields: string[] }[] {
  return fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    const stat = readStat(d);
    return stat ? [{ pid: Number(d), ...stat }] : [];
  });
}

/** CPU time (user + system, ms) in a process's stat fields; with its reaped children's too when asked. */
export function statCpuMs(fields: string[], withReapedChildren = false): number {
  const ticks = Number(fields[11]) + Number(fields[12]) + (withReapedChildren ? Number(fields[13]) + Number(fields[14]) : 0);
  return (ticks * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux x86-64 and arm64

/** CPU ms per command name over every process now (digits at its end dropped; the kernel's workers are one). */
export function cpuByComm(): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of processes()) {
    const comm = p.comm.replace(/^kworker.*/, "kworker").replace(/[0-9]+$/, "");
    out.set(comm, (out.get(comm) ?? 0) + statCpuMs(p.fields, true));
  }
  return out;
}

/** The CPU each command used between two cpuByComm() readings (≥ 50 ms), most first. */
export function cpuSince(before: Map<string, number>, after = cpuByComm()): [string, number][] {
  return [...after].map(([k, v]): [string, number] => [k, v - (before.get(k) ?? 0)]).filter(([, v]) => v >= 50).sort((x, y) => y[1] - x[1]);
}

/** CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat; NaN if unknown. */
export function processCpuMs(pid: number | undefined): number {
  const stat = pid === undefined ? undefined : readStat(pid);
  return stat ? statCpuMs(stat.fields) : NaN;
}

/** The Node processes (not PostgreSQL) in process group `pgid` (a started app), from /proc; Linux only. */
export function groupNodePids(pgid: number): number[] {
  // field 5 of stat: the process group; Node only (start.ts, next-server)
  return processes().filter((p) => Number(p.fields[2]) === pgid && !/^postgres/.test(p.comm)).map((p) => p.pid);
}

/** Resident memory (MiB) of these processes. */
export function rssMiB(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
      if (rss) total += Number(rss[1]) / 1024;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Samples the app's RSS every 50 ms while fn runs: growth = highest sample − the sample before. */
export async function rssGrowth<T>(pgid: number, fn: () => Promise<T>): Promise<{ value: T; beforeMiB: number; peakMiB: number; growthMiB: number }> {
  const pids = groupNodePids(pgid);
  const beforeMiB = rssMiB(pids);
  let peakMiB = beforeMiB;
  const timer = setInterval(() => { peakMiB = Math.max(peakMiB, rssMiB(pids)); }, 50);
  try {
    const value = await fn();
    peakMiB = Math.max(peakMiB, rssMiB(pids));
    return { value, beforeMiB, peakMiB, growthMiB: peakMiB - beforeMiB };
  } finally {
    clearInterval(timer);
  }
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** One statement on its own connection (the bench reads and resets what the app stored). */
export async function sql(databaseUrl: string, text: string, values: unknown[] = []) {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return await c.query(text, values);
  } finally {
    await c.end();
  }
}

/**
 * Keeps every Element Timing entry of a context's pages (the tag table's size cells carry
 * `elementtiming`): the browser's own time for when each cell was painted with its text. Without an
 * observer from the start, the buffer keeps only the first 150 entries.
 */
export async function recordElementPaints(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const paints: PerformanceEntry[] = [];
    (window as unknown as { __elementPaints: PerformanceEntry[] }).__elementPaints = paints;
    new PerformanceObserver((list) => { paints.push(...list.getEntries()); }).observe({ type: "element", buffered: true });
  });
}

/**
 * When every row on screen (inside the table's scroller) had all its details painted, in Chromium's
 * own clock (ms after navigation start). The rows are checked every animation frame; the time is
 * the latest paint (Element Timing, recordElementPaints) of their size cells, which is when the
 * browser drew them: a check that runs on the page's main thread can only see them once the page's
 * script (hydration) lets it run. Without a recorded paint for every cell, the check's own time.
 */
export async function firstScreenComplete(page: Page, timeout = 60_000): Promise<number> {
  const polled = await page.waitForFunction(() => {
    const sc = document.querySelector('[data-testid="tags"]');
    if (!sc) return false;
    const box = sc.getBoundingClientRect();
    const rows = [...sc.querySelectorAll('[data-testid="tag-row"]')].filter((r) => {
      const b = r.getBoundingClientRect();
      return b.bottom > box.top && b.top < box.bottom;
    });
    if (!rows.length || rows.some((r) => r.querySelector(".animate-pulse"))) return false;
    const cells = rows.map((r) => r.querySelector('[data-col="size"]'));
    (window as unknown as { __screenCells: (Element | null)[] }).__screenCells = cells;
    return performance.now();
  }, undefined, { timeout, polling: "raf" }).then((h) => h.jsonValue() as Promise<number>);
  // the browser reports a paint once the frame is presented: a little after the check saw the rows
  const painted = await page.waitForFunction(() => {
    const w = window as unknown as { __screenCells: (Element | null)[]; __elementPaints?: (PerformanceEntry & { element: Element | null; renderTime: number })[] };
    const times = w.__screenCells.map((cell) => Math.max(...(w.__elementPaints ?? []).filter((p) => p.element === cell).map((p) => p.renderTime || p.startTime)));
    return times.every((t) => t > 0) && Math.max(...times);
  }, undefined, { timeout: 2000, polling: 50 }).then((h) => h.jsonValue() as Promise<number>, () => undefined);
  return painted ?? polled;
}

/**
 * A browser page signed in to the app as `admin`, with `registryUrl` added as a generic registry:
 * the page, and the tag table's address for a repository of that registry.
 */
export async function signedInWithRegistry(browser: Browser, appUrl: string, admin: { email: string; password: string }, name: string, registryUrl: string) {
  const context = await browser.newContext({ baseURL: appUrl, viewport: { width: 1280, height: 800 } });
  await recordElementPaints(context);
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/$/);
  const res = await page.request.post("/api/v1/registries", { data: { name, kind: "GENERIC", endpoint: registryUrl } });
  if (res.status() !== 201) throw new Error(`adding the registry: ${res.status()} ${await res.text()}`);
  const id = (await res.json()).id as string;
  return { context, page, id, url: (repository: string) => `/registries/${id}/tags?${new URLSearchParams({ repository })}` };
}

/** The transport's bound on requests in flight per registry host (DEFAULT_OPTIONS.concurrencyPerHost). */
export const PER_HOST = 8;

/** The registry's own floor: `count` bare manifest HEADs from a plain fetch loop, PER_HOST in flight. */
export async function headFloor(reg: { url: string }, repository: string, tags: string[]): Promise<number> {
  const accept = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: PER_HOST }, async () => {
    while (next < tags.length) {
      const tag = tags[next++]!;
      const res = await fetch(`${reg.url}/v2/${repository}/manifests/${tag}`, { method: "HEAD", headers: { accept } });
      if (res.status !== 200) throw new Error(`HEAD ${tag}: ${res.status}`);
    }
  }));
  return performance.now() - t0;
}

/**
 * A registry `delayMs` away: a loopback proxy that holds each request `delayMs` before passing it on
 * (keep-alive both sides), as a registry across a network would answer. Bounded by the sockets of
 * its own keep-alive agent (64).
 */
export async function delayProxy(target: string, delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const to = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    setTimeout(() => {
      const up = http.request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers, agent }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      up.on("error", () => res.destroy());
      req.pipe(up);
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}

/** Runs a bench script's main: an error goes to stderr and the exit code is 1. */
export function runMain(main: () => Promise<void>) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

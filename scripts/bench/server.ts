// The server of `npm start` under the requests machines and people send it: a burst of one-event
// registry webhooks, the API-token tag list of 1,500 tags, the same list with a session (Next's
// route), and page loads (HTML, signed in). Prints one JSON line of figures; docs/SCALING.md quotes
// them (before/after the one-process server of issue 14 item 9).
//   npx tsx scripts/bench/server.ts   (BENCH_SERVER_PORT, BENCH_RUNS=20, BENCH_BURST=2000)
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { apiToken, startApp } from "../lib/app-server";
import { seedStandard, startRegistry } from "../../test/harness";
import { median } from "./measure";

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const BURST = Number(process.env.BENCH_BURST ?? 2000);
const ADMIN = { email: "admin@bench-server.test", password: "bench-server-password-1" };
const log = (s: string) => process.stderr.write(`[server bench] ${s}\n`);
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const r1 = (v: number) => Math.round(v * 10) / 10;

/** CPU ms of the app's node processes (the one listening on the port and its node children; not PostgreSQL). */
function appCpuMs(rootPid: number): number {
  const pids = [rootPid];
  for (let i = 0; i < pids.length; i++) {
    const kids = spawnSync("pgrep", ["-P", String(pids[i])], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).map(Number);
    pids.push(...kids);
  }
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!/\((node|next-server[^)]*|MainThread)\)/.test(stat)) continue;
      const f = stat.split(") ")[1]!.split(" ");
      total += (Number(f[11]) + Number(f[12])) * 10;
    } catch {
      // gone
    }
  }
  return total;
}

function listenerPid(port: string): number {
  const out = spawnSync("ss", ["-ltnpH", `sport = :${port}`], { encoding: "utf8" }).stdout ?? "";
  return Number(/pid=(\d+)/.exec(out)?.[1]);
}

async function main() {
  const load0 = os.loadavg();
  const app = await startApp({ dir: path.resolve(".test-data/bench-server"), port: Number(process.env.BENCH_SERVER_PORT || 3318), admin: ADMIN });
  const reg = await startRegistry({ mode: "open", name: "bench-server" });
  try {
    await seedStandard(reg);
    const token = await apiToken(app.databaseUrl, "ADMIN");
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const created = await fetch(`${app.url}/api/v1/registries`, { method: "POST", headers: auth, body: JSON.stringify({ name: "bench-server", kind: "GENERIC", endpoint: reg.url }) });
    if (created.status !== 201) throw new Error(`adding the registry: ${created.status} ${await created.text()}`);
    const id = (await created.json()).id as string;
    const { secret } = await (await fetch(`${app.url}/api/v1/registries/${id}/webhook`, { method: "POST", headers: auth })).json();

    // a session, as a browser gets one
    const csrf = await fetch(`${app.url}/api/auth/csrf`);
    const { csrfToken } = await csrf.json();
    const jar = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const signIn = await fetch(`${app.url}/api/auth/callback/credentials`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar }, body: new URLSearchParams({ ...ADMIN, csrfToken }) });
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => /session-token=/.test(c!))!;
    if (!cookie) throw new Error("sign-in gave no session");

    const timeGet = async (url: string, headers: Record<string, string>) => {
      const out: number[] = [];
      for (let i = 0; i < RUNS + 3; i++) {
        const t0 = performance.now();
        const r = await fetch(url, { headers });
        await r.arrayBuffer();
        if (!r.ok) throw new Error(`${url}: ${r.status}`);
        if (i >= 3) out.push(performance.now() - t0);
      }
      return { p50: r1(median(out)), p95: r1(pct(out, 0.95)) };
    };
    const tags = `${app.url}/api/v1/registries/${id}/tags?repository=demo/many`;
    const figures: Record<string, unknown> = {};
    figures.tokenTagList1500 = await timeGet(tags, { authorization: `Bearer ${token}`, "accept-encoding": "gzip" });
    figures.sessionTagList1500 = await timeGet(tags, { cookie, "accept-encoding": "gzip" });
    figures.pageLogin = await timeGet(`${app.url}/login`, {});
    figures.pageOverview = await timeGet(`${app.url}/`, { cookie });
    figures.pageTags = await timeGet(`${app.url}/registries/${id}/tags?repository=demo/many`, { cookie });

    // the webhook burst: BURST one-event POSTs offered evenly over 1 s (open loop), 64 keep-alive connections
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const send = (body: string) => new Promise<number>((resolve, reject) => {
      const req = http.request(`${app.url}/api/v1/webhooks/registry/${id}`, { method: "POST", agent, headers: { authorization: `Bearer ${secret}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode!));
      });
      req.on("error", reject);
      req.end(body);
    });
    const event = () => JSON.stringify({ events: [{ id: randomUUID(), timestamp: new Date().toISOString(), action: "push", target: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${"a".repeat(64)}`, size: 500, repository: "bench/app", tag: `t${randomUUID().slice(0, 8)}` }, request: { addr: "10.0.0.1:1" }, actor: { name: "bench" } }] });
    // warm-up
    for (let i = 0; i < 50; i++) await send(event());
    const bodies = Array.from({ length: BURST }, event);
    const pid = listenerPid(new URL(app.url).port);
    const cpu0 = appCpuMs(pid);
    const t0 = performance.now();
    const latencies: number[] = [];
    let accepted = 0;
    const pending: Promise<void>[] = [];
    for (let i = 0; i < bodies.length;) {
      const now = performance.now() - t0;
      for (; i < bodies.length && (i * 1000) / bodies.length <= now; i++) {
        const due = (i * 1000) / bodies.length;
        pending.push(send(bodies[i]!).then((status) => {
          latencies.push(performance.now() - t0 - due);
          if (status === 202) accepted++;
        }, () => {}));
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(pending);
    const doneMs = performance.now() - t0;
    const cpu = appCpuMs(pid) - cpu0;
    agent.destroy();
    figures.webhookBurst = {
      posts: BURST, accepted, lastAnswerS: r1(doneMs / 1000), eventsPerS: Math.round(accepted / (doneMs / 1000)),
      p50Ms: r1(median(latencies)), p95Ms: r1(pct(latencies, 0.95)), appCpuMsPerPost: Math.round((cpu / BURST) * 100) / 100,
    };
    const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;
    figures.listenerRssMiB = Math.round(rss);
    figures.load = { start: load0.map((x) => r1(x)), end: os.loadavg().map((x) => r1(x)) };
    console.log(JSON.stringify(figures));
  } finally {
    await reg.stop();
    await app.stop();
  }
}

await main();

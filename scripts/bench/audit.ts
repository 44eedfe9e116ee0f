// Audit (issue 6): webhook ingestion under a burst, and audit queries over a large log.
//   npx tsx --conditions=react-server scripts/bench/audit.ts [--events 1000000] [--burst 2000] [--senders 64] [--no-http] [--no-write]
// By default a running Regatta (`npm start` through scripts/lib/app-server, its own embedded PostgreSQL)
// receives the bursts on POST /api/v1/webhooks/registry/{id} (answered by its server's machine routes) and answers GET /api/v1/audit/last-push; the
// same bursts also go straight into receiveWebhook (what the route runs) from this process, on the same
// database. --no-http skips the app (a fresh embedded PostgreSQL, receiveWebhook only). The log is then
// grown to --events with bulk INSERTs carrying valid hashes, and the whole chain is verified at the end.
import { spawnSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { apiToken, startApp, type AppServer } from "../lib/app-server.ts";
import { startEmbedded, type Database } from "../lib/database.ts";
import { migrate } from "../lib/migrate.ts";
import { median } from "./measure.ts";
import { writeReport } from "./report.ts";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const EVENTS = arg("events", 1_000_000);
const BURST = arg("burst", 2_000);
const SENDERS = arg("senders", 64);
const HTTP = !process.argv.includes("--no-http");
const WRITE = !process.argv.includes("--no-write");
const log = (s: string) => process.stderr.write(`[audit bench] ${s}\n`);
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(" / ");
const startedAt = new Date().toISOString();
const loadStart = load();

let app: AppServer | undefined;
let database: Database | undefined;
let dir = "";
if (HTTP) {
  dir = path.resolve(".test-data/bench-audit-app");
  log("starting Regatta (npm start; builds first when the sources changed)");
  app = await startApp({ dir, port: Number(process.env.BENCH_AUDIT_PORT || 3294), admin: { email: "admin@bench.test", password: "bench-admin-password" } });
  process.env.DATABASE_URL = app.databaseUrl;
  process.env.REGATTA_DATA_DIR = path.join(dir, "data");
} else {
  dir = fs.mkdtempSync(path.join(path.resolve(".test-data"), "bench-audit-"));
  database = await startEmbedded({ dir, quiet: true });
  process.env.DATABASE_URL = database.url;
  process.env.REGATTA_MASTER_KEY ||= Buffer.alloc(32, 7).toString("base64");
  await migrate(database.url, () => {});
}

// the process listening on the app's port: npm start's one process, whose server answers the webhooks
const appPid = app ? serverPid(new URL(app.url).port) : null;

const { db } = await import("../../lib/db.ts");
const { createWebhookSecret, receiveWebhook } = await import("../../lib/services/webhooks.ts");
const audit = await import("../../lib/services/audit.ts");
const { GENESIS_HASH, eventHash } = await import("../../lib/audit/hash.ts");

const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const ms = (v: number) => (v < 10 ? v.toFixed(1) : v.toFixed(0));
const n0 = (v: number) => Math.round(v).toLocaleString("en");
const rows: string[][] = [];
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

// CPU time (ms) of the app's front process, found by its port, and of this process, for the HTTP rows
function serverPid(port: string): number | null {
  const out = spawnSync("ss", ["-ltnpH", `sport = :${port}`], { encoding: "utf8" }).stdout ?? "";
  return Number(/pid=(\d+)/.exec(out)?.[1]) || null;
}
function processCpuMs(pid: number | null): number {
  if (!pid) return NaN;
  try {
    // fields 14 and 15 of /proc/<pid>/stat: user and system time in clock ticks (100 per second)
    const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}
const selfCpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
/** [busy, total] clock ticks of the whole machine, from /proc/stat */
function machineTicks(): [number, number] {
  const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return [total - f[3]! - f[4]!, total];
}

interface BurstResult {
  events: number; posts: number; offeredMs: number; doneMs: number; latencies: number[]; failures: string[]; accepted: number;
  /** CPU ms of the app's front process (NaN without one) and of this process during the burst */
  serverCpuMs: number; selfCpuMs: number;
  /** share of all CPUs busy (any process) during the burst */
  machineBusy: number;
}

/**
 * Open loop: POST i is due at i × (window / posts) ms whatever the answers do (a registry does not wait
 * for other registries); its answer time is counted from when it was due, so a server that falls
 * behind shows it in the latencies instead of slowing the sender down.
 */
async function burst(posts: string[], eventsPerPost: number, send: (body: string) => Promise<{ ok: boolean; accepted: number; text?: string }>, serverPid: number | null = null, windowMs = 1000): Promise<BurstResult> {
  const latencies: number[] = [];
  const failures: string[] = [];
  let accepted = 0;
  const cpu0 = [processCpuMs(serverPid), selfCpuMs()];
  const m0 = machineTicks();
  const t0 = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < posts.length;) {
    const now = performance.now() - t0;
    for (; i < posts.length && (i * windowMs) / posts.length <= now; i++) {
      const due = (i * windowMs) / posts.length;
      pending.push(send(posts[i]!).then(
        (r) => {
          latencies.push(performance.now() - t0 - due);
          accepted += r.accepted;
          if (!r.ok) failures.push(r.text ?? "not ok");
        },
        (e) => { failures.push(String(e)); },
      ));
    }
    await sleep(1);
  }
  const offeredMs = performance.now() - t0;
  await Promise.all(pending);
  const doneMs = performance.now() - t0;
  const m1 = machineTicks();
  return {
    machineBusy: (m1[0] - m0[0]) / (m1[1] - m0[1]),
    events: posts.length * eventsPerPost, posts: posts.length, offeredMs, doneMs, latencies, failures, accepted,
    serverCpuMs: processCpuMs(serverPid) - cpu0[0]!, selfCpuMs: selfCpuMs() - cpu0[1]!,
  };
}

try {
  const registryId = randomUUID();
  await db.registry.create({ data: { id: registryId, name: "bench", kind: "GENERIC", endpoint: "http://127.0.0.1:1" } });
  const actor = { id: randomUUID(), email: "bench@example.com", name: null, role: "ADMIN" as const, via: "token" as const, address: null };
  const { secret } = await createWebhookSecret(actor, registryId, "http://bench");
  const ids: string[] = [];
  // registry:2's envelope; repositories and tags spread like a busy CI
  const envelope = (n: number) => JSON.stringify({
    events: Array.from({ length: n }, (_, i) => {
      const id = randomUUID();
      ids.push(id);
      return {
        id, timestamp: new Date().toISOString(), action: "push",
        target: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${createHash("sha256").update(id).digest("hex")}`, size: 500, repository: `bench/app${(ids.length + i) % 20}`, tag: `t${ids.length % 50}` },
        request: { addr: "10.0.0.1:5555" }, actor: { name: "ci" },
      };
    }),
  });
  const direct = async (body: string) => {
    const r = await receiveWebhook(registryId, { headers: new Headers({ authorization: `Bearer ${secret}` }), body: Buffer.from(body), secretParam: null }, "127.0.0.1");
    return { ok: true, accepted: r.accepted };
  };
  // SENDERS keep-alive connections, like as many registries each sending its events one POST at a
  // time (registry:2 does); a POST waits in the agent's queue while its sender is busy
  const agent = new http.Agent({ keepAlive: true, maxSockets: SENDERS });
  const httpSender = (base: string) => (body: string) => new Promise<{ ok: boolean; accepted: number; text: string }>((resolve, reject) => {
    const req = http.request(`${base}/api/v1/webhooks/registry/${registryId}`, {
      method: "POST", agent,
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/vnd.docker.distribution.events.v1+json", "content-length": Buffer.byteLength(body) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const ok = res.statusCode === 202;
        resolve({ ok, accepted: ok ? (JSON.parse(text) as { accepted: number }).accepted : 0, text: `${res.statusCode} ${text.slice(0, 200)}` });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
  const overHttp = httpSender(app?.url ?? "http://127.0.0.1:1");

  // warm up: module init, connection pools, the app's route
  for (let i = 0; i < 20; i++) await direct(envelope(1));
  if (app) for (let i = 0; i < 50; i++) await overHttp(envelope(1));

  log("one delivery at a time (quiet)");
  const seq: number[] = [];
  for (let i = 0; i < 300; i++) {
    const b = envelope(1);
    const t0 = performance.now();
    await (app ? overHttp : direct)(b);
    seq.push(performance.now() - t0);
  }
  rows.push([`One delivery at a time (1 push event)${app ? ", HTTP" : ""}`, `${ms(median(seq))} ms median, ${ms(pct(seq, 0.99))} ms p99`, `${n0(1000 / median(seq))} events/s`, "—", ""]);

  const bursts: { label: string; r: BurstResult; keys: string[]; server: string | null }[] = [];
  const runBurst = async (label: string, perPost: number, send: typeof direct, server: { name: string; pid: number | null } | null = null) => {
    const from = ids.length;
    const posts = Array.from({ length: Math.ceil(BURST / perPost) }, () => envelope(perPost));
    const keys = ids.slice(from).map((id) => `${registryId}:${id}`);
    log(`burst: ${label}`);
    const r = await burst(posts, perPost, send, server?.pid ?? null);
    bursts.push({ label, r, keys, server: server?.name ?? null });
    await sleep(500);
    return { posts, keys };
  };
  const front = { name: "the front", pid: appPid };
  const single = app ? await runBurst(`${BURST} POSTs of 1 event in 1 s, HTTP, ${SENDERS} senders`, 1, overHttp, front) : undefined;
  if (app) await runBurst(`${BURST / 50} POSTs of 50 events in 1 s, HTTP`, 50, overHttp, front);
  // what the route costs without the log: the same POSTs carrying a pull (authenticated, parsed, ignored)
  const pulls = app ? await burst(Array.from({ length: BURST }, () => JSON.stringify({ events: [{ id: randomUUID(), action: "pull", target: { repository: "bench/app", digest: `sha256:${"0".repeat(64)}` }, actor: {} }] })), 1, overHttp, appPid) : undefined;
  const singleDirect = await runBurst(`${BURST} deliveries of 1 event in 1 s, receiveWebhook`, 1, direct);
  await runBurst(`${BURST / 50} deliveries of 50 events in 1 s, receiveWebhook`, 50, direct);

  // the registry retries: the same bodies again are all duplicates and write nothing
  const before = await db.auditEvent.count();
  const replay = single ?? singleDirect;
  log("burst: the first burst again (registry retries)");
  const again = await burst(replay.posts, 1, app ? overHttp : direct);
  const replayWrote = (await db.auditEvent.count()) - before;

  const cpuNote = (r: BurstResult, server: string | null) => `; machine ${Math.round(100 * r.machineBusy)} % busy, ` + (server
    ? `${server} ${(r.serverCpuMs / r.posts).toFixed(2)} ms CPU per POST (${Math.round((100 * r.serverCpuMs) / r.doneMs)} % of a core), sender ${Math.round((100 * r.selfCpuMs) / r.doneMs)} %`
    : `this process ${Math.round((100 * r.selfCpuMs) / r.doneMs)} % of a core`);
  for (const { label, r, keys, server } of bursts) {
    const stored = await db.auditEvent.count({ where: { eventKey: { in: keys } } });
    const lost = keys.length - stored;
    const ok = lost === 0 && r.failures.length === 0 && r.accepted === keys.length;
    rows.push([
      `Burst: ${label}`,
      `${ms(pct(r.latencies, 0.5))} ms p50, ${ms(pct(r.latencies, 0.99))} ms p99, last answer at ${n0(r.doneMs)} ms`,
      `${n0(r.events / (r.doneMs / 1000))} events/s sustained (offered ${n0(r.events / (r.offeredMs / 1000))})`,
      `${n0(stored)} of ${n0(keys.length)} stored, ${r.failures.length} errors${r.failures.length ? ` (${r.failures[0]})` : ""}${cpuNote(r, server)}`,
      ok && r.doneMs <= 1500 ? "✅" : ok ? "❌ (slower than offered)" : "❌ lost events",
    ]);
  }
  if (pulls) {
    rows.push([`Diagnostic: ${n0(pulls.posts)} POSTs of 1 pull event (nothing to write), HTTP, ${SENDERS} senders`,
      `${ms(pct(pulls.latencies, 0.5))} ms p50, ${ms(pct(pulls.latencies, 0.99))} ms p99, last answer at ${n0(pulls.doneMs)} ms`,
      `${n0(pulls.posts / (pulls.doneMs / 1000))} POSTs/s`, `${pulls.failures.length} errors${cpuNote(pulls, "the front")}`, ""]);
  }
  rows.push([
    `Replay of the first burst (${n0(again.posts)} duplicates)`,
    `${ms(pct(again.latencies, 0.5))} ms p50, ${ms(pct(again.latencies, 0.99))} ms p99`, `${n0(again.events / (again.doneMs / 1000))} events/s`,
    `${replayWrote} events written, ${again.accepted} accepted`, replayWrote === 0 && again.accepted === 0 && again.failures.length === 0 ? "✅" : "❌",
  ]);

  // grow the log to EVENTS, hash-chained, with explicit ids so that two connections can write at once
  const have = await db.auditEvent.count();
  const tail = await db.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true, hash: true } });
  log(`seeding the log from ${have} to ${EVENTS} events (load ${load()})`);
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  const seedStart = performance.now();
  let prev = tail?.hash ?? GENESIS_HASH;
  let nextId = Number(tail?.id ?? 0n) + 1;
  const t0 = Date.now() - 90 * 86_400_000;
  const CHUNK = 10_000;
  const inflight: Promise<unknown>[] = [];
  const total = Math.max(EVENTS - have, 0);
  for (let done = 0; done < total;) {
    const n = Math.min(CHUNK, total - done);
    const c: unknown[][] = Array.from({ length: 14 }, () => []);
    for (let i = 0; i < n; i++) {
      const k = done + i;
      // 300 repositories × 2,000 tags, pushed by CI; one event in ten a promotion or retag by a user; "latest" moves often
      const repo = `bench/app${k % 300}`;
      const tag = k % 4 === 0 ? "latest" : `v${(k * 7919) % 2000}`;
      const kind = k % 10;
      const f = {
        at: new Date(t0 + Math.floor((k / total) * 90 * 86_400_000)),
        actorKind: kind === 0 ? "USER" : "REGISTRY", actor: kind === 0 ? `user${k % 13}@example.com` : `ci-${k % 7}`,
        action: kind === 0 ? (k % 20 === 0 ? "promote" : "retag") : kind === 9 ? "registry.delete" : "registry.push",
        registryId, repository: repo, tag, digest: `sha256:${createHash("sha256").update(String(k)).digest("hex")}`,
        previousDigest: null, sourceAddress: "10.0.0.1", outcome: kind === 0 && k % 30 === 0 ? "failure" : "success", details: { n: k },
      };
      const hash = eventHash(prev, f);
      const vals = [nextId++, f.at.toISOString(), f.actorKind, f.actor, f.action, f.repository, f.tag, f.digest, f.sourceAddress, f.outcome, JSON.stringify(f.details), prev, hash, null];
      vals.forEach((v, j) => c[j]!.push(v));
      prev = hash;
    }
    inflight.push(pool.query(
      `INSERT INTO "AuditEvent" ("id","at","actorKind","actor","action","registryId","repository","tag","digest","sourceAddress","outcome","details","prevHash","hash")
       SELECT id, at, kind::"ActorKind", actor, action, $14::uuid, repository, tag, digest, addr, outcome, details, prev, hash
       FROM unnest($1::bigint[], $2::timestamp(3)[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::jsonb[], $12::text[], $13::text[])
         AS t(id, at, kind, actor, action, repository, tag, digest, addr, outcome, details, prev, hash)`,
      [...c.slice(0, 13), registryId],
    ));
    if (inflight.length >= 2) await inflight.shift();
    done += n;
    if ((done / CHUNK) % 20 === 0) log(`  ${n0(have + done)} events, ${((performance.now() - seedStart) / 1000).toFixed(0)} s`);
  }
  await Promise.all(inflight);
  await pool.query(`SELECT setval(pg_get_serial_sequence('"AuditEvent"', 'id'), (SELECT max(id) FROM "AuditEvent"))`);
  await pool.query(`ANALYZE "AuditEvent"`);
  await pool.end();
  const seedS = (performance.now() - seedStart) / 1000;
  const count = await db.auditEvent.count();
  log(`queries on ${count} events (seeded in ${seedS.toFixed(0)} s)`);

  // (--events at or below what the bursts wrote: bursts only, for quick runs)
  if (total > 0) {
    // "who pushed X": tags picked at random (a cold cache for most), the busiest tag, and a tag with no events
    // the tag of a random seeded push (so every one has an answer)
    const sample = () => {
      let k = Math.floor(Math.random() * (total - 10));
      while (k % 4 === 0 || k % 10 === 0 || k % 10 === 9) k++;
      return { repository: `bench/app${k % 300}`, tag: `v${(k * 7919) % 2000}` };
    };
    const who: number[] = [];
    for (let i = 0; i < 500; i++) {
      const s = sample();
      const t = performance.now();
      const e = await audit.lastPush(registryId, s.repository, s.tag);
      who.push(performance.now() - t);
      if (!e) throw new Error(`no push found for ${s.repository}:${s.tag}`);
    }
    const whoOk = pct(who, 0.95) < 50;
    rows.push([`"Who pushed X": lastPush() for 500 random tags of ${n0(count)} events`, `${ms(median(who))} ms median, ${ms(pct(who, 0.95))} ms p95`, "", "target p95 < 50 ms", whoOk ? "✅" : "❌"]);
    const hot: number[] = [];
    const none: number[] = [];
    for (let i = 0; i < 100; i++) {
      let t = performance.now();
      await audit.lastPush(registryId, `bench/app${i % 300}`, "latest");
      hot.push(performance.now() - t);
      t = performance.now();
      await audit.lastPush(registryId, `bench/app${i % 300}`, `never-${i}`);
      none.push(performance.now() - t);
    }
    rows.push([`… "latest" (${n0(count / 4 / 300)} events per repository)`, `${ms(median(hot))} ms median, ${ms(pct(hot, 0.95))} ms p95`, "", "", pct(hot, 0.95) < 50 ? "✅" : "❌"]);
    rows.push(["… a tag with no events", `${ms(median(none))} ms median, ${ms(pct(none, 0.95))} ms p95`, "", "", pct(none, 0.95) < 50 ? "✅" : "❌"]);
    if (app) {
      const token = await apiToken(app.databaseUrl, "VIEWER");
      const http: number[] = [];
      for (let i = 0; i < 300; i++) {
        const s = sample();
        const t = performance.now();
        const res = await fetch(`${app.url}/api/v1/audit/last-push?${new URLSearchParams({ registryId, ...s })}`, { headers: { authorization: `Bearer ${token}` } });
        const body = (await res.json()) as { push: unknown };
        http.push(performance.now() - t);
        if (!res.ok || !body.push) throw new Error(`last-push ${res.status} ${JSON.stringify(body)}`);
      }
      rows.push(["… `GET /api/v1/audit/last-push` over HTTP (API token, 300 random tags)", `${ms(median(http))} ms median, ${ms(pct(http, 0.95))} ms p95`, "", "target p95 < 50 ms", pct(http, 0.95) < 50 ? "✅" : "❌"]);
    }

    const q = (o: Record<string, string>) => audit.parseAuditQuery(new URLSearchParams(o));
    const measure = async (label: string, fn: () => Promise<unknown>, runs = 15) => {
      await fn();
      const t: number[] = [];
      for (let i = 0; i < runs; i++) {
        const s = performance.now();
        await fn();
        t.push(performance.now() - s);
      }
      rows.push([label, `${ms(median(t))} ms median, ${ms(pct(t, 0.95))} ms p95`, "", "", ""]);
    };
    await measure("`GET /audit` first page (100), no filter", () => audit.listAudit(q({})));
    await measure("… 500 per page", () => audit.listAudit(q({ limit: "500" })));
    const mid = (await db.auditEvent.findFirstOrThrow({ orderBy: { id: "asc" }, skip: Math.floor(count / 2), select: { id: true } })).id.toString();
    await measure("… a page in the middle (cursor)", () => audit.listAudit(q({ cursor: mid })));
    await measure("… actor = ci-3", () => audit.listAudit(q({ actor: "ci-3" })));
    await measure("… repository + tag", () => audit.listAudit(q({ repository: "bench/app17", tag: "v17" })));
    await measure("… digest", () => audit.listAudit(q({ digest: `sha256:${createHash("sha256").update("4242").digest("hex")}` })));
    await measure("… action = promote, one week", () => audit.listAudit(q({ action: "promote", since: new Date(Date.now() - 14 * 86_400_000).toISOString(), until: new Date(Date.now() - 7 * 86_400_000).toISOString() })));
    await measure("30-day activity chart", () => audit.dailyActivity(30), 5);

    const exported = Math.min(count, audit.AUDIT_EXPORT_MAX);
    const s = performance.now();
    const res = audit.exportAudit(q({}), "csv");
    const reader = res.stream.getReader();
    let bytes = 0;
    for (;;) { const { done, value } = await reader.read(); if (done) break; bytes += value.byteLength; }
    const took = performance.now() - s;
    rows.push([`CSV export of ${n0(exported)} events (the cap)`, `${(took / 1000).toFixed(1)} s, ${(bytes / 1048576).toFixed(0)} MiB`, `${n0(exported / (took / 1000))} events/s`, "", ""]);

  }

  log("verifying the chain");
  const v0 = performance.now();
  const report = await audit.auditChainStatus();
  const took = performance.now() - v0;
  rows.push([`verifyAuditChain() over ${n0(report.checked)} events (bursts and seed)`, `${(took / 1000).toFixed(1)} s`, `${n0(report.checked / (took / 1000))} events/s`,
    report.intact ? "chain intact" : `BROKEN at ${JSON.stringify(report.firstBroken)}`, report.intact ? "✅" : "❌"]);

  const cpu = os.cpus();
  const md = [
    "## Audit (issue 6)",
    "",
    `Command: \`npm run bench\` (or \`npx tsx --conditions=react-server scripts/bench/audit.ts${HTTP ? "" : " --no-http"}\`): bursts of ${n0(BURST)} events, a log of ${n0(count)} events.`,
    `Run: ${startedAt} → ${new Date().toISOString()}. Machine: ${cpu.length} × ${cpu[0]?.model.trim()}, Node ${process.version}, embedded PostgreSQL 18.`,
    `Load average (1/5/15 min) at start ${loadStart}, at end ${load()}${os.loadavg()[0]! > 1 ? " (other work shared the machine)" : ""}.`,
    `${HTTP ? `HTTP rows: a running Regatta (\`npm start\`: one process: its server answers the webhooks itself, Next runs inside it; its embedded PostgreSQL), sent to by this process over ${SENDERS} keep-alive connections; receiveWebhook rows: the same code called in this process, on the same database.` : "No Regatta server (--no-http): receiveWebhook called in this process."}`,
    `A burst offers its POSTs evenly over 1 s whatever the answers (open loop); latency counts from when a POST was due. It keeps up (✅) when nothing is lost and the last answer comes within 1.5 s. The log was then seeded to ${n0(count)} events in ${seedS.toFixed(0)} s (bulk INSERTs, valid hashes).`,
    "",
    "| Measurement | Latency | Throughput | Check | Result |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
  console.log(md);
  if (WRITE) log(`written to ${writeReport(md, "audit")}`);
  await db.$disconnect();
} finally {
  await app?.stop();
  await database?.stop();
  // a log of 1,000,000 events is ~2 GB on disk
  fs.rmSync(dir, { recursive: true, force: true });
}

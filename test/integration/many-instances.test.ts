// Two Regatta instances (npm start's server each) on one PostgreSQL server behind a real load
// balancer (Debian's haproxy, round robin, health-checked on /api/ready). A session made on one
// works on the other; promotions and webhooks through the balancer run and are recorded once, in
// one audit chain; one instance is restarted (SIGTERM, graceful) in the middle of a burst of 1,000
// webhook deliveries and 20 promotions, and nothing acknowledged is lost. Everything is counted.
import { adminSql } from "../support/api";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiToken, startApp, type AppServer, type StartAppOptions } from "../../scripts/lib/app-server";
import { freePort, makeTempDir, pushImage, skopeoInspect, startRegistry, type RunningRegistry } from "../harness";
import { testDatabaseUrl } from "../support/workers";

const run = promisify(execFile);
const DIGEST = "sha256:" + "a".repeat(64);
const admin = { email: "admin@multi.test", password: "multi-instance-pw" };
let dir: string;
let dbUrl: string;
let reg: RunningRegistry;
let haproxy: ChildProcess;
let lb: string;
const apps: AppServer[] = [];
const opts: StartAppOptions[] = [];
let token: string;
let registryId: string;
let secret: string;
const figures: Record<string, number | string> = {};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** A client that retries what was not acknowledged (a non-2xx or no answer), as registries and CI do. */
const unacknowledged: Record<string, number> = {};
async function send(url: string, init: RequestInit, counts: { attempts: number; retries: number }, tries = 40): Promise<Response> {
  for (let i = 0; ; i++) {
    counts.attempts++;
    try {
      const r = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
      if (r.ok || i >= tries || (r.status >= 400 && r.status < 500 && r.status !== 429)) return r;
      const text = await r.text();
      const why = `${r.status} ${text.match(/"code":"([A-Z_]+)"/)?.[1] ?? text.slice(0, 40).replace(/\s+/g, " ")}`;
      unacknowledged[why] = (unacknowledged[why] ?? 0) + 1;
    } catch (e) {
      const why = `no answer: ${(e as Error).cause ? String(((e as Error).cause as Error).message).slice(0, 40) : (e as Error).message}`;
      unacknowledged[why] = (unacknowledged[why] ?? 0) + 1;
      if (i >= tries) throw e;
    }
    counts.retries++;
    await sleep(100 + i * 50);
  }
}

const api = (p: string, init: RequestInit = {}) =>
  fetch(`${lb}${p}`, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(init.headers ?? {}) } });

beforeAll(async () => {
  dir = makeTempDir("multi");
  await adminSql("DROP DATABASE IF EXISTS regatta_multi WITH (FORCE)");
  await adminSql("CREATE DATABASE regatta_multi");
  const u = new URL(testDatabaseUrl());
  u.pathname = "/regatta_multi";
  dbUrl = u.toString();
  reg = await startRegistry({ mode: "open", name: "multi" });
  await pushImage(reg, "demo/app:1.0", { layers: [{ files: { "a.txt": "many instances\n" } }] });

  const shared = { NODE_ENV: "production", AUTH_SECRET: "multi-instance-auth-secret-0123456789", REGATTA_MASTER_KEY: Buffer.alloc(32, 9).toString("base64"), REGATTA_SHUTDOWN_GRACE_SECONDS: "10" };
  const ports = [await freePort(), await freePort()];
  for (const [i, port] of ports.entries()) opts.push({ dir: path.join(dir, `app-${i}`), port, admin, databaseUrl: dbUrl, env: shared });
  // one after the other: the first start builds when the build is stale, the second reuses it
  const t0 = performance.now();
  apps.push(await startApp(opts[0]!));
  apps.push(await startApp(opts[1]!));
  figures.startSeconds = Math.round((performance.now() - t0) / 100) / 10;

  const lbPort = await freePort();
  const cfg = path.join(dir, "haproxy.cfg");
  fs.writeFileSync(cfg, [
    "global", "  maxconn 4096",
    "defaults", "  mode http", "  timeout connect 2s", "  timeout client 60s", "  timeout server 60s",
    // a refused connection (an instance gone) is tried on the other one; requests are never replayed
    "  retries 3", "  option redispatch", "  option http-server-close",
    "frontend regatta", `  bind 127.0.0.1:${lbPort}`, "  default_backend instances",
    "backend instances", "  balance roundrobin", "  option httpchk GET /api/ready", "  http-check expect status 200",
    // a check may take a while on a busy machine: a slow answer is not a dead instance
    "  timeout check 3s", "  default-server inter 500ms fall 2 rise 2",
    ...ports.map((p, i) => `  server app${i} 127.0.0.1:${p} check`),
    "",
  ].join("\n"));
  haproxy = spawn("haproxy", ["-f", cfg, "-db"], { stdio: ["ignore", "ignore", "pipe"] });
  lb = `http://127.0.0.1:${lbPort}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${lb}/api/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await sleep(1000); // both servers seen up (rise 2)
  token = await apiToken(dbUrl, "ADMIN");
  const created = await api("/api/v1/registries", { method: "POST", body: JSON.stringify({ name: "multi", kind: "GENERIC", endpoint: reg.url }) });
  expect(created.status).toBe(201);
  registryId = (await created.json()).id;
  secret = (await (await api(`/api/v1/registries/${registryId}/webhook`, { method: "POST" })).json()).secret;
}, 600_000);

afterAll(async () => {
  haproxy?.kill("SIGTERM");
  await Promise.all(apps.map((a) => a.stop()));
  await reg?.stop();
  await adminSql("DROP DATABASE IF EXISTS regatta_multi WITH (FORCE)").catch(() => {});
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`many instances: ${JSON.stringify(figures)}`);
});

describe("two instances behind haproxy", () => {
  it("round robin reaches both; a session made on one works on the other", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${lb}/api/health`);
      expect(r.status).toBe(200);
      seen.add(r.headers.get("x-request-id")!);
    }
    expect(seen.size).toBe(6);
    // sign in on instance 0 (Auth.js credentials), use the cookie on instance 1
    const a = apps[0]!.url;
    const csrf = await fetch(`${a}/api/auth/csrf`);
    const { csrfToken } = await csrf.json();
    const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const signIn = await fetch(`${a}/api/auth/callback/credentials`, {
      method: "POST", redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: new URLSearchParams({ email: admin.email, password: admin.password, csrfToken }),
    });
    const session = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => /session-token=/.test(c!));
    expect(session).toBeTruthy();
    const me = await fetch(`${apps[1]!.url}/api/v1/me`, { headers: { cookie: session! } });
    expect(me.status).toBe(200);
    expect((await me.json()).email).toBe(admin.email);
  });

  it("a restart of one instance during 1,000 webhook deliveries and 20 promotions loses nothing acknowledged, runs each promotion once and keeps one chain", async () => {
    const hooks = { attempts: 0, retries: 0 };
    const promos = { attempts: 0, retries: 0 };
    const acked = new Set<string>();
    const promotionIds: string[] = [];
    let nonAckedPromotionPosts = 0;
    const t0 = performance.now();

    const deliver = async (i: number) => {
      const id = `multi-${i}`;
      const body = JSON.stringify({ events: [{
        id, timestamp: new Date().toISOString(), action: "push",
        target: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: DIGEST, size: 500, repository: "burst/app", tag: `t${i}` },
        request: { addr: "10.0.0.1:1234", method: "PUT" }, actor: { name: "ci" },
      }] });
      const r = await send(`${lb}/api/v1/webhooks/registry/${registryId}`, { method: "POST", headers: { authorization: `Bearer ${secret}`, "content-type": "application/vnd.docker.distribution.events.v1+json" }, body }, hooks);
      if (r.status === 202) acked.add(id);
      await r.arrayBuffer();
    };
    const promote = async (i: number) => {
      const body = JSON.stringify({ source: { registryId, repository: "demo/app", reference: "1.0" }, target: { registryId, repository: `rel/app${i}`, tag: "1" } });
      // a promotion request is not blindly replayed: only a refused connection or a 5xx is tried again
      const r = await send(`${lb}/api/v1/promotions`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body }, promos);
      if (r.status === 202 || r.status === 200) promotionIds.push((await r.json()).id);
      else nonAckedPromotionPosts++;
    };

    // the burst: 20 workers of webhook deliveries, promotions spread through it, and one restart
    let next = 0;
    const worker = async () => {
      while (next < 1000) {
        const i = next++;
        await deliver(i);
        if (i % 50 === 25) await promote(promotionIds.length + nonAckedPromotionPosts);
      }
    };
    const restart = (async () => {
      while (acked.size < 300) await sleep(20);
      const r0 = performance.now();
      figures.ackedAtStop = acked.size;
      figures.promotionsRunningAtStop = (await query<{ n: string }>(`SELECT count(*) AS n FROM "Promotion" WHERE state = 'RUNNING'`))[0]!.n;
      await apps[1]!.terminate();
      figures.drainSeconds = Math.round((performance.now() - r0) / 100) / 10;
      apps[1] = await startApp({ ...opts[1]!, keep: true });
      figures.restartSeconds = Math.round((performance.now() - r0) / 100) / 10;
      figures.ackedWhenBack = acked.size;
    })();
    await Promise.all([...Array.from({ length: 20 }, worker), restart]);
    figures.burstSeconds = Math.round((performance.now() - t0) / 100) / 10;

    // every promotion acknowledged ends, once
    const deadline = Date.now() + 120_000;
    let rows: { id: string; state: string }[] = [];
    for (;;) {
      rows = await query<{ id: string; state: string }>(`SELECT id, state::text AS state FROM "Promotion" WHERE id = ANY($1)`, [promotionIds]);
      if (rows.every((r) => r.state === "SUCCEEDED" || r.state === "FAILED") || Date.now() > deadline) break;
      await sleep(250);
    }
    Object.assign(figures, {
      webhookDeliveries: 1000, webhookAcked: acked.size, webhookAttempts: hooks.attempts, webhookRetries: hooks.retries,
      promotionsAcked: promotionIds.length, promotionPostAttempts: promos.attempts, promotionRetries: promos.retries, promotionsNotAcked: nonAckedPromotionPosts,
    });
    figures.unacknowledged = JSON.stringify(unacknowledged);
    figures.promotionRows = (await query<{ n: string }>(`SELECT count(*) AS n FROM "Promotion"`))[0]!.n;
    expect(acked.size).toBe(1000);
    expect(promotionIds.length).toBe(20);
    expect(rows.filter((r) => r.state === "SUCCEEDED").length).toBe(20);

    // webhooks: each acknowledged event recorded exactly once
    const events = await query<{ key: string; n: string }>(`SELECT "eventKey" AS key, count(*) AS n FROM "AuditEvent" WHERE "eventKey" LIKE $1 GROUP BY 1`, [`${registryId}:multi-%`]);
    expect(events.length).toBe(1000);
    expect(events.every((e) => Number(e.n) === 1)).toBe(true);
    // promotions: exactly one audit event each, and the tag is there for a client we did not write
    const audits = await query<{ pid: string; n: string }>(`SELECT details->>'promotionId' AS pid, count(*) AS n FROM "AuditEvent" WHERE details->>'promotionId' = ANY($1) GROUP BY 1`, [promotionIds]);
    expect(audits.length).toBe(20);
    expect(audits.every((a) => Number(a.n) === 1)).toBe(true);
    const promoted = await query<{ repo: string }>(`SELECT "targetRepository" AS repo FROM "Promotion" WHERE id = ANY($1)`, [promotionIds]);
    const source = (await skopeoInspect(reg, "demo/app:1.0")).Digest;
    for (const p of promoted.slice(0, 3)) expect((await skopeoInspect(reg, `${p.repo}:1`)).Digest).toBe(source);
    // one chain: the whole audit log verifies
    const verify = await run(process.execPath, ["--import", "tsx", "--conditions=react-server", "scripts/audit-verify.ts"], { env: { ...process.env, DATABASE_URL: dbUrl }, encoding: "utf8" });
    expect(verify.stdout).toMatch(/audit log intact: \d+ events/);
    figures.auditEvents = Number(verify.stdout.match(/intact: (\d+)/)![1]);
    // a restart is a whole start (migrations checked, Next prepared): ~60 s at a load average of 35 on 2 cores
  }, 300_000);

  it("each instance's /metrics has its server's counters (webhooks, HTTP) and Next's (jobs), from one process, and its log is JSON lines with request ids", async () => {
    const text = await (await fetch(`${apps[0]!.url}/metrics`)).text();
    const value = (re: RegExp) => Number(text.split("\n").find((l) => re.test(l))?.split(" ").pop() ?? NaN);
    expect(value(/^regatta_http_requests_total\{route="\/api\/v1\/webhooks\/registry\/\[registryId\]",method="POST",status="202"\}/)).toBeGreaterThan(100);
    expect(value(/^regatta_webhook_events_total\{result="accepted"\}/)).toBeGreaterThan(100);
    expect(value(/^regatta_jobs\{queue="promotion",state="queued"\}/)).toBe(0);
    expect(value(/^regatta_job_duration_seconds_count\{queue="promotion",outcome="completed"\}/)).toBeGreaterThanOrEqual(0);
    const lines = fs.readFileSync(apps[0]!.logPath, "utf8").split("\n").filter((l) => l.includes('"msg":"request"'));
    expect(lines.length).toBeGreaterThan(100);
    const hook = lines.map((l) => JSON.parse(l)).find((e) => e.route === "/api/v1/webhooks/registry/[registryId]");
    expect(hook).toMatchObject({ level: "info", method: "POST", status: 202, requestId: expect.any(String), ms: expect.any(Number) });
    const promo = lines.map((l) => JSON.parse(l)).find((e) => e.route === "/api/v1/promotions" && e.method === "POST");
    if (promo) expect(promo.actorId).toEqual(expect.any(String));
    expect(fs.readFileSync(apps[0]!.logPath, "utf8")).not.toContain(secret);
  });
});

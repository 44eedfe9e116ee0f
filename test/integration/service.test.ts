// Running Regatta as a service: /api/health, /api/ready (each failing part named), /metrics
// (token, HTTP/registry/webhook/job metrics), request ids and access lines of npm start's server,
// and a graceful stop that hands a running promotion back to the queue for another instance.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as health from "@/app/api/health/route";
import * as ready from "@/app/api/ready/route";
import * as metricsRoute from "@/app/metrics/route";
import * as collection from "@/app/api/v1/registries/route";
import * as tags from "@/app/api/v1/registries/[id]/tags/route";
import * as promotions from "@/app/api/v1/promotions/route";
import * as promotion from "@/app/api/v1/promotions/[id]/route";
import { webhookRoute } from "@/app/api/v1/webhooks/registry/[registryId]/handler";
import { db } from "@/lib/db";
import { startWorkers, stopWorkers } from "@/lib/services/workers";
import { createServer, type FinishedRequest } from "../../scripts/lib/server";
import { pushBigImage, pushImage, skopeoInspect, startRegistry, type RunningRegistry } from "../harness";
import { call, userWithToken } from "../support/api";

let reg: RunningRegistry;
let target: RunningRegistry;
let admin: string;
let operator: string;
let regId: string;
let slowId: string;
let slow: http.Server;
let slowDelayMs = 0;

const get = async (handler: (req: Request) => Response | Promise<Response>, headers: Record<string, string> = {}) => {
  const res = await handler(new Request("http://127.0.0.1:3000/x", { headers }));
  return { status: res.status, text: await res.text(), headers: res.headers };
};

beforeAll(async () => {
  [reg, target] = await Promise.all([startRegistry({ mode: "open", name: "svc-src" }), startRegistry({ mode: "open", name: "svc-dst" })]);
  await pushImage(reg, "team/app:1.0", { layers: [{ files: { "a.txt": "service\n" } }] });
  admin = (await userWithToken("ADMIN")).token;
  operator = (await userWithToken("OPERATOR")).token;
  regId = (await call(collection.POST, { token: admin, method: "POST", body: { name: "svc-src", kind: "GENERIC", endpoint: reg.url } })).json.id;
  // the target behind a proxy that can hold blob uploads back: a copy that is surely in flight
  const up = new URL(target.url);
  slow = http.createServer((req, res) => {
    const go = () => {
      const p = http.request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      p.on("error", () => res.destroy());
      req.pipe(p);
    };
    if (slowDelayMs && /\/blobs\/uploads\//.test(req.url ?? "")) setTimeout(go, slowDelayMs);
    else go();
  });
  await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
  slowId = (await call(collection.POST, { token: admin, method: "POST", body: { name: "svc-slow", kind: "GENERIC", endpoint: `http://127.0.0.1:${(slow.address() as AddressInfo).port}` } })).json.id;
});

afterAll(async () => {
  await stopWorkers(0);
  slow?.close();
  await Promise.all([reg?.stop(), target?.stop()]);
});

describe("health and readiness", () => {
  it("/api/health answers 200 with no session and nothing else", async () => {
    const r = await get(health.GET);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ ok: true });
  });

  it("/api/ready names each failing part, and says nothing of versions, hosts or secrets", async () => {
    // before this instance's workers run
    let r = await get(ready.GET);
    expect(r.status).toBe(503);
    expect(JSON.parse(r.text).failing).toEqual(["jobs: this instance's job workers are not running"]);

    await startWorkers();
    r = await get(ready.GET);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ ok: true });

    // a migration this build ships that the database lacks
    const latest = (await db.$queryRawUnsafe<{ n: string }[]>(`SELECT max(migration_name) AS n FROM "_prisma_migrations"`))[0]!.n;
    await db.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1`, latest);
    // and no master key
    const key = process.env.REGATTA_MASTER_KEY;
    delete process.env.REGATTA_MASTER_KEY;
    process.env.REGATTA_MASTER_KEY_FILE = "/nonexistent/master.key";
    try {
      r = await get(ready.GET);
      expect(r.status).toBe(503);
      const body = JSON.parse(r.text);
      expect(body.ok).toBe(false);
      expect(body.failing).toEqual([
        `migrations: 1 not applied (latest ${latest}); the start-up applies them`,
        "master key: not loaded (set REGATTA_MASTER_KEY or REGATTA_MASTER_KEY_FILE)",
      ]);
      expect(r.text).not.toMatch(/127\.0\.0\.1|postgres|\d+\.\d+\.\d+|nonexistent/i);
    } finally {
      process.env.REGATTA_MASTER_KEY = key;
      delete process.env.REGATTA_MASTER_KEY_FILE;
      await db.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET rolled_back_at = NULL WHERE migration_name = $1`, latest);
    }
    expect((await get(ready.GET)).status).toBe(200);
  });
});

describe("/metrics", () => {
  it("counts registry calls by kind, registry and outcome, and webhook deliveries by result", async () => {
    expect((await call(tags.GET, { token: admin, params: { id: regId }, headers: {}, method: "GET" })).status).toBeLessThan(500);
    const listed = await tags.GET(new Request(`http://127.0.0.1:3000/api/v1/registries/${regId}/tags?repository=team/app`, { headers: { authorization: `Bearer ${admin}` } }), { params: Promise.resolve({ id: regId }) });
    expect(listed.status).toBe(200);
    // a delivery without its secret is refused, and counted as such
    const refused = await webhookRoute(new Request("http://127.0.0.1:3000/api/v1/webhooks/registry/x", { method: "POST" }), regId, Buffer.from("{}"));
    expect(refused.status).toBeGreaterThanOrEqual(400);

    const r = await get(metricsRoute.GET);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/plain/);
    const value = (line: RegExp) => Number(r.text.split("\n").find((l) => line.test(l))?.split(" ").pop());
    expect(value(/^regatta_registry_calls_total\{kind="GENERIC",registry="svc-src",outcome="2xx"\}/)).toBeGreaterThan(0);
    expect(value(/^regatta_registry_call_duration_seconds_count\{kind="GENERIC",registry="svc-src"\}/)).toBeGreaterThan(0);
    expect(value(/^regatta_webhook_events_total\{result="rejected"\}/)).toBeGreaterThanOrEqual(1);
    expect(r.text).toMatch(/^regatta_jobs\{queue="promotion",state="queued"\} \d+$/m);
    expect(r.text).toMatch(/^regatta_audit_chain_intact -?\d$/m);
    expect(r.text).toMatch(/^regatta_sign_in_failures_total\{reason="password"\} \d+$/m);
  });

  it("asks for the token when REGATTA_METRICS_TOKEN is set", async () => {
    process.env.REGATTA_METRICS_TOKEN = "metrics-token-123";
    try {
      const none = await get(metricsRoute.GET);
      expect(none.status).toBe(401);
      expect(none.text).not.toContain("regatta_");
      expect((await get(metricsRoute.GET, { authorization: "Bearer wrong" })).status).toBe(401);
      expect((await get(metricsRoute.GET, { authorization: "Bearer metrics-token-123" })).status).toBe(200);
    } finally {
      delete process.env.REGATTA_METRICS_TOKEN;
    }
  });
});

describe("the server's request ids and access lines", () => {
  it("gives each answer an X-Request-Id (a sane caller's own is kept), reports status, route and actor, and passes no actor header on", async () => {
    // Next's handler as Next writes an answer (sendResponse: appendHeader per header, statusCode, end)
    const next = async (req: http.IncomingMessage, res: http.ServerResponse) => {
      res.appendHeader("set-cookie", "a=1");
      res.appendHeader("set-cookie", "b=2");
      res.appendHeader("x-regatta-actor", "user-42");
      res.appendHeader("x-seen-request-id", String(req.headers["x-request-id"]));
      res.statusCode = 201;
      res.end("ok");
    };
    const seen: FinishedRequest[] = [];
    const server = createServer({ next, publicPort: 80, route: () => undefined, onFinish: (e) => seen.push(e) });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const a = await fetch(`${base}/registries/abc?secret=s3cr3t`);
      const id = a.headers.get("x-request-id")!;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(a.headers.get("x-seen-request-id")).toBe(id); // Next logs with the same id
      expect(a.headers.get("x-regatta-actor")).toBeNull();
      expect(a.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
      const b = await fetch(`${base}/x`, { headers: { "x-request-id": "lb-req.1" } });
      expect(b.headers.get("x-request-id")).toBe("lb-req.1");
      const c = await fetch(`${base}/x`, { headers: { "x-request-id": "bad id\u0007".replace("\u0007", "") + "!".repeat(200) } });
      expect(c.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      await new Promise((r) => setTimeout(r, 50));
      expect(seen[0]).toMatchObject({ requestId: id, method: "GET", path: "/registries/abc", status: 201, actorId: "user-42" });
      expect(JSON.stringify(seen)).not.toContain("s3cr3t");
    } finally {
      server.close();
    }
  });
});

describe("graceful stop", () => {
  it("hands a promotion in flight back to the queue; the next worker finishes it, once, with one audit event", async () => {
    const big = await pushBigImage(reg, "team/big:1", 24);
    slowDelayMs = 1500;
    const r = await call(promotions.POST, { token: operator, method: "POST", body: { source: { registryId: regId, repository: "team/big", reference: "1" }, target: { registryId: slowId, repository: "prod/big", tag: "1" } } });
    expect(r.status).toBe(202);
    const id = r.json.id as string;
    for (let i = 0; i < 200 && (await db.promotion.findUniqueOrThrow({ where: { id } })).state !== "RUNNING"; i++) await new Promise((res) => setTimeout(res, 50));
    await new Promise((res) => setTimeout(res, 200));
    const stopped = await stopWorkers(100);
    expect(stopped.handedBack).toBe(1);
    const back = await db.promotion.findUniqueOrThrow({ where: { id } });
    expect(back.state).toBe("QUEUED");
    expect(await skopeoInspect(target, "prod/big:1").catch(() => null)).toBeNull(); // no half-made tag
    expect(await db.auditEvent.count({ where: { details: { path: ["promotionId"], equals: id } } })).toBe(0);

    // another instance (here: this one, started again) takes it from the queue
    slowDelayMs = 0;
    await startWorkers();
    let state = "";
    for (let i = 0; i < 600 && state !== "succeeded" && state !== "failed"; i++) {
      state = (await call(promotion.GET, { token: operator, params: { id } })).json.state;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(state).toBe("succeeded");
    expect((await skopeoInspect(target, "prod/big:1")).Digest).toBe(big.digest);
    expect(await db.auditEvent.count({ where: { details: { path: ["promotionId"], equals: id } } })).toBe(1);
  });
});

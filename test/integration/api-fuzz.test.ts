// A fuzz run of the public API: every route handler under app/api (from the filesystem) gets
// seeded hostile names, tags, digests, URLs, JSON shapes and sizes, as an admin (so input checks,
// not role checks, are what answers), against a real PostgreSQL and a real registry:2.
// Asserted: no answer is a 500, and input the API refuses (4xx) changes no row. The audit log is
// left out of that comparison: a refused mutation is recorded there by design.
// FUZZ_SEED=<n> replays a run; FUZZ_INPUTS bounds it (default 700 inputs: the suite's run, ~35 s on a
// quiet machine; every input an earlier, longer run found a 500 with is kept above as a plain case),
// and so do FUZZ_CPU_SECONDS (default 50 s of this process's CPU) and 70 s of wall time (the run
// before this default: ~1,400 inputs in 70 s). FUZZ_INPUTS=50000 runs as many as those allow.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import fs from "node:fs";
import pg from "pg";
import { machineRoute } from "@/app/api/v1/machine-routes";
import { verifyAuditChain } from "@/lib/audit/verify";
import { db } from "@/lib/db";
import { pushImage, startRegistry, type RunningRegistry } from "../harness";
import { fuzzString, fuzzValue, mutate, rawBody, rng, type Rng } from "../support/fuzz";
import { buildRequest, makeToken, makeUser, session, type Caller, type RouteCall, type RouteHandler } from "../support/principals";
import { concretePath, routeTable } from "../support/routes";
import { testDatabaseUrl } from "../support/workers";

vi.hoisted(() => {
  process.env.AUTH_SECRET ||= "api-fuzz-test-secret-0123456789abcdef";
});
vi.mock("@/lib/auth/auth", async (importOriginal) => (await import("../support/principals")).sessionMock(importOriginal));

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed12);
const CPU_BUDGET_US = Number(process.env.FUZZ_CPU_SECONDS ?? 50) * 1e6;
const WALL_BUDGET_MS = 70_000;
const MAX_INPUTS = Number(process.env.FUZZ_INPUTS ?? 700);
const TRACE = process.env.FUZZ_TRACE;

// Auth.js's own endpoints are not Regatta's API; everything else is fuzzed.
const handlers = new Map([...routeTable()].filter(([k]) => !k.includes("/api/auth/")));

let reg: RunningRegistry;
let registryId: string;
let admin: Caller;
let webhookSecret: string;
let snapshot: () => Promise<string>;
let client: pg.Client;

const digest = `sha256:${"ab".repeat(32)}`;
const publicKeyPem = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();
// Valid bodies and queries per route, as templates the fuzzer mutates.
const SHAPES: Record<string, { query?: () => Record<string, string>; body?: () => unknown }> = {
  "GET /api/v1/audit": { query: () => ({ actor: "a@b.c", action: "promotion.*", registryId, repository: "demo/app", tag: "v1", digest, outcome: "success", since: "2026-01-01", until: "2027-01-01", cursor: "10", format: "csv" }) },
  "GET /api/v1/audit/last-push": { query: () => ({ registryId, repository: "demo/app", tag: "v1" }) },
  "POST /api/v1/stages": { body: () => ({ name: `stage-${randomUUID().slice(0, 6)}`, position: 3, registryId, repository: "demo/app" }) },
  "POST /api/v1/environments": { body: () => ({ name: `env-${randomUUID().slice(0, 6)}`, position: 3, registryId, repository: "demo/app" }) },
  "POST /api/v1/promotions": { body: () => ({ source: { registryId, repository: "demo/app", reference: "v1" }, target: { registryId, repository: "demo/copy", tag: "v2" }, overwrite: false, confirmPublish: true, dryRun: true, kind: "promote" }) },
  "GET /api/v1/protection": { query: () => ({ registryId, repository: "demo/app", tag: "v1" }) },
  "POST /api/v1/protection-rules": { body: () => ({ registryId, repositoryGlob: "demo/*", tagGlob: "*-*-*-rc", minRole: "ADMIN", immutable: true, reason: "fuzz", requireSignature: true, requireArtifactType: "application/spdx+json" }) },
  "POST /api/v1/registries": { body: () => ({ name: `fz-${randomUUID().slice(0, 6)}`, kind: "GENERIC", endpoint: "http://127.0.0.1:1", namespace: "ns", insecure: true, publishPolicy: "FORBID", concurrency: 16, credentials: { username: "u", password: "p" } }) },
  "PATCH /api/v1/registries/[id]": { body: () => ({ name: `fz-${randomUUID().slice(0, 6)}`, apiEndpoint: null, namespace: null, insecure: true, publishPolicy: "ALLOW_WITH_CONFIRMATION", concurrency: 4 }) },
  "GET /api/v1/registries/[id]/manifests": { query: () => ({ repository: "demo/app", reference: "v1" }) },
  "GET /api/v1/registries/[id]/repositories": { query: () => ({ query: "demo", cursor: "demo/app" }) },
  "GET /api/v1/registries/[id]/signatures": { query: () => ({ repository: "demo/app", reference: "v1" }) },
  "POST /api/v1/signing-keys": { body: () => ({ name: `fuzz ${randomUUID().slice(0, 6)}`, publicKeyPem }) },
  "GET /api/v1/registries/[id]/tag-history": { query: () => ({ repository: "demo/app", tag: "v1" }) },
  "GET /api/v1/registries/[id]/tags": { query: () => ({ repository: "demo/app", limit: "10" }) },
  "DELETE /api/v1/registries/[id]/tags": { query: () => ({ repository: "demo/app", tag: "absent", digest }) },
  "POST /api/v1/registries/[id]/tags/details": { body: () => ({ repository: "demo/app", tags: ["v1", "latest"] }) },
  "GET /api/v1/search": { query: () => ({ q: "demo" }) },
  "POST /api/v1/tokens": { body: () => ({ name: "fuzz", expiresInDays: 30 }) },
  "POST /api/v1/users": { body: () => ({ email: `u${randomUUID().slice(0, 6)}@example.com`, name: "U", role: "VIEWER", password: "correct horse battery" }) },
  "PATCH /api/v1/users/[id]": { body: () => ({ name: "N", role: "VIEWER", password: "correct horse battery" }) },
  "POST /api/v1/webhooks/registry/[registryId]": {
    body: () => ({
      events: [{
        id: randomUUID(), timestamp: new Date().toISOString(), action: "push",
        target: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest, size: 100, length: 100, repository: "demo/app", url: `${reg.url}/v2/demo/app/manifests/${digest}`, tag: "v1" },
        request: { id: randomUUID(), addr: "10.0.0.1:5000", host: "r", method: "PUT", useragent: "fuzz" },
        actor: { name: "ci" }, source: { addr: "r:5000", instanceID: randomUUID() },
      }],
    }),
  },
};

/** One fuzzed request: which route, its path params, query, body. */
function input(r: Rng, keys: string[]): { key: string; call: RouteCall; caller: Caller } {
  const key = r.pick(keys);
  const [method, route] = key.split(" ") as [string, string];
  const shape = SHAPES[key] ?? {};
  // ids: the real registry (not for DELETE, or the run would delete its own fixture), fresh uuids, junk
  // ids: the run's registry for reads and checks (not where it would be deleted, moved or lose its
  // webhook secret, or the rest of the run would test less), fresh uuids, junk
  const mayUseFixture = method === "GET" || /\/(test|sync|tags\/details)$/.test(route);
  const id = () => (mayUseFixture && r.chance(0.4) ? registryId : r.chance(0.5) ? randomUUID() : fuzzString(r));
  const params: Record<string, unknown> = {};
  for (const [, name] of route.matchAll(/\[(?:\.\.\.)?(\w+)\]/g)) params[name!] = id();
  let query: Record<string, string> | undefined;
  if (shape.query || r.chance(0.2)) {
    const base = shape.query?.() ?? {};
    query = {};
    for (const [k, v] of Object.entries(base)) if (!r.chance(0.15)) query[k] = r.chance(0.5) ? fuzzString(r) : v;
    if (r.chance(0.1)) query[fuzzString(r)] = fuzzString(r);
  }
  const call: RouteCall = { method, path: concretePath(route, params, () => randomUUID()), params, query };
  if (method !== "GET" && method !== "DELETE") {
    if (r.chance(0.1)) call.rawBody = rawBody(r);
    else call.body = shape.body && r.chance(0.85) ? mutate(r, shape.body()) : fuzzValue(r);
  }
  const isHook = route.includes("/webhooks/");
  const caller = isHook && r.chance(0.9) ? { sessionUserId: null, authorization: `Bearer ${webhookSecret}` } : admin;
  if (isHook) call.headers = { "content-type": r.pick(["application/vnd.docker.distribution.events.v1+json", "application/json", "text/plain"]) };
  return { key, call, caller };
}

beforeAll(async () => {
  reg = await startRegistry({ mode: "open", name: "api-fuzz" });
  await pushImage(reg, "demo/app:v1");
  const user = await makeUser("ADMIN", "fuzzer");
  admin = { sessionUserId: null, authorization: `Bearer ${(await makeToken(user.id)).token}` };
  const all = routeTable();
  const created = await call(all.get("POST /api/v1/registries")!, { method: "POST", path: "/api/v1/registries", body: { name: "fuzz-target", kind: "GENERIC", endpoint: reg.url } });
  registryId = created.id;
  webhookSecret = (await call(all.get("POST /api/v1/registries/[id]/webhook")!, { method: "POST", path: `/api/v1/registries/${registryId}/webhook`, params: { id: registryId } })).secret;

  client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  // one checksum per table over every row, the audit log aside; a token's lastUsedAt moves on use
  const { rows } = await client.query(`SELECT table_name, string_agg(quote_ident(column_name), ',' ORDER BY ordinal_position) AS cols
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT IN ('AuditEvent', '_prisma_migrations') AND column_name <> 'lastUsedAt'
    GROUP BY table_name ORDER BY table_name`);
  const sql = rows.map((t) => `SELECT '${t.table_name}' AS t, count(*) AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM (SELECT ${t.cols} FROM "${t.table_name}") x`).join(" UNION ALL ");
  snapshot = async () => (await client.query(sql)).rows.map((r) => `${r.t}:${r.n}:${r.h}`).join("\n");
});

afterAll(async () => {
  await client?.end();
  await reg?.stop();
});

async function call(handler: RouteHandler, c: RouteCall, caller = admin) {
  session.userId = caller.sessionUserId;
  const res = await handler(buildRequest(c, caller), { params: Promise.resolve(c.params ?? {}) });
  const text = await res.text();
  expect(res.status, text).toBeLessThan(300);
  return JSON.parse(text);
}

describe("API fuzz", () => {
  // what earlier runs found (each was a 500), kept as plain cases
  it.each([
    ["GET /api/v1/registries/[id]/repositories", { id: "tag:with:colons" }, {}, undefined, 404],
    ["GET /api/v1/registries/[id]/health", { id: "*-*-*-rc" }, {}, undefined, 404],
    ["POST /api/v1/registries/[id]/test", { id: "http://169.254.169.254/latest/meta-data" }, {}, {}, 404],
    ["POST /api/v1/registries/[id]/tags/details", { id: "not-a-uuid" }, {}, { repository: "demo/app", tags: ["v1"] }, 404],
    ["GET /api/v1/registries/[id]/manifests", { id: "a/b" }, { repository: "demo/app", reference: "v1" }, undefined, 404],
    ["GET /api/v1/registries/[id]/tag-history", { id: "8__y" }, { repository: "demo/app", tag: "v1" }, undefined, 404],
    ["GET /api/v1/registries/[id]/tag-history", { id: "6fb8fd9c-3a0b-4f4f-a600-c9c64f544dfc" }, { repository: "demo/app", tag: "v1\u0000" }, undefined, 422],
    ["POST /api/v1/webhooks/registry/[registryId]", { registryId: "v1\u0000" }, {}, { events: [] }, 401],
    ["GET /api/v1/search", {}, { q: "ab\u0000" }, undefined, 422],
    // accepted, and audited: the audit details hold what jsonb can
    ["POST /api/v1/protection-rules", {}, {}, { repositoryGlob: "demo/*", tagGlob: "x\udc32*" }, 201],
    ["POST /api/v1/tokens", {}, {}, { name: "ci \ud800" }, 201],
    ["GET /api/v1/audit/last-push", {}, { registryId: "67b9c7e1-cb61-4722-8b26-2a05bb96328a", repository: "demo/app", tag: "v1\u0000" }, undefined, 422],
    ["GET /api/v1/audit", {}, { repository: "demo/app\u0000" }, undefined, 422],
    ["POST /api/v1/webhooks/registry/[registryId]", { registryId: "\ud800x" }, {}, { events: [] }, 401],
  ] as const)("%s, params %j, query %j, body %j: answers %i", async (key, params, query, body, status) => {
    const [method, route] = key.split(" ") as [string, string];
    const c: RouteCall = { method, path: concretePath(route, params, () => ""), params, query, body };
    const res = await handlers.get(key)!(buildRequest(c, admin), { params: Promise.resolve(params) });
    expect(res.status, await res.text()).toBe(status);
  });

  it("the row checksum notices a changed row (so 'no row changed' means something)", async () => {
    const before = await snapshot();
    const rule = await db.protectionRule.create({ data: { repositoryGlob: "checksum/*", tagGlob: "*" } });
    const changed = await snapshot();
    await db.protectionRule.update({ where: { id: rule.id }, data: { tagGlob: "v*" } });
    const edited = await snapshot();
    await db.protectionRule.delete({ where: { id: rule.id } });
    expect(changed).not.toBe(before);
    expect(edited).not.toBe(changed);
    expect(await snapshot()).toBe(before);
  });

  it(`answers seeded hostile input (seed ${SEED}) without a 500, and refused input changes no row`, async () => {
    const r = rng(SEED);
    const keys = [...handlers.keys()].sort();
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    let n = 0;
    const cpu = () => { const u = process.cpuUsage(cpu0); return u.user + u.system; };
    while (cpu() < CPU_BUDGET_US && Date.now() - t0 < WALL_BUDGET_MS && n < MAX_INPUTS) {
      const { key, call: c, caller } = input(r, keys);
      n++;
      // the input in flight, for a run that hangs (a busy event loop cannot say so itself)
      if (TRACE) fs.writeFileSync(TRACE, `#${n} ${key} ${JSON.stringify({ params: c.params, query: c.query, body: c.body, raw: c.rawBody?.toString().slice(0, 300) }).slice(0, 2000)}\n`);
      // an earlier accepted read may still be filling Regatta's index in the background: wait until the rows stand still
      let before = await snapshot();
      for (let i = 0; i < 5; i++) {
        await new Promise((res) => setTimeout(res, 5));
        const again = await snapshot();
        if (again === before) break;
        before = again;
      }
      if (TRACE) fs.appendFileSync(TRACE, "calling\n");
      let status: number;
      let text = "";
      try {
        // webhooks also through the server of `npm start`, which reads the body itself
        const front = key.startsWith("POST /api/v1/webhooks/") && r.chance(0.3) ? machineRoute(c.method, c.path, caller.authorization) : undefined;
        const res = front
          ? await front(buildRequest({ ...c, body: undefined, rawBody: undefined }, caller), Buffer.from(c.rawBody ?? (c.body === undefined ? "" : JSON.stringify(c.body))))
          : await handlers.get(key)!(buildRequest(c, caller), { params: Promise.resolve(c.params ?? {}) });
        status = res.status;
        text = await res.text();
      } catch (e) {
        status = -1;
        text = `threw ${(e as Error)?.name}: ${(e as Error)?.message}`;
      }
      if (TRACE) fs.appendFileSync(TRACE, `answered ${status}\n`);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      const show = () => `#${n} ${key} ${JSON.stringify({ params: c.params, query: c.query, body: c.body, raw: c.rawBody }).slice(0, 400)} → ${status} ${text.slice(0, 200)}`;
      if (status === 500 || status === -1) failures.push(show());
      else if (status >= 400 && status < 500) {
        const after = await snapshot();
        if (after !== before) failures.push(`rows changed by a refused input: ${show()}\n${diff(before, after)}`);
      }
      if (failures.length >= 20) break;
    }
    const secs = (Date.now() - t0) / 1000;
    console.log(`[api-fuzz] seed ${SEED}: ${n} inputs over ${keys.length} route handlers in ${secs.toFixed(1)} s (${(cpu() / 1e6).toFixed(1)} s CPU); answers: ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, k]) => `${s}×${k}`).join(", ")}`);
    expect(failures, failures.join("\n\n")).toEqual([]);
    expect(n).toBeGreaterThan(500);
    // and the audit chain the refusals were written to is intact
    expect((await verifyAuditChain()).intact).toBe(true);
  }, 150_000);
});

function diff(a: string, b: string): string {
  const x = new Set(a.split("\n"));
  return b.split("\n").filter((l) => !x.has(l)).join(", ");
}

// Load: 50 signed-in users (each their own session) browse the lab registries at once for 15 s in
// the suite (LOAD_SECONDS=60 for the run docs/BENCHMARKS.md reports) —
// the overview, a repository's tag list, tag pages — through the app as `npm start` runs it (the
// one process with Next inside, embedded PostgreSQL) against three real registry:2 (open, htpasswd, token).
// Each visit is the page's HTML and the API calls the page makes. Asserted: 0 errors. Printed:
// requests, throughput, p50/p95/p99 per kind, load average; docs/BENCHMARKS.md carries a run's figures.
//   LOAD_USERS=50 LOAD_SECONDS=60 E2E_PORT=… npx playwright test e2e/load.spec.ts
import fs from "node:fs";
import os from "node:os";
import { expect, request as http, test, type APIRequestContext } from "./fixtures";
import { seedStandard, startRegistry, type RunningRegistry } from "../test/harness";

const USERS = Number(process.env.LOAD_USERS ?? 50);
// the suite's default is short (it asserts 0 errors and prints the table); the benchmark's run is a knob
const SECONDS = Number(process.env.LOAD_SECONDS ?? 15);
const BASELINE_SECONDS = Number(process.env.LOAD_BASELINE_SECONDS ?? 5);
const PASSWORD = "load-test-password-1";
const run = Date.now().toString(36);

let regs: RunningRegistry[] = [];
const lab: { id: string; name: string }[] = [];

test.beforeAll(async ({ request }) => {
  test.setTimeout(300_000);
  regs = await Promise.all([
    startRegistry({ mode: "open", name: "load-open" }),
    startRegistry({ mode: "htpasswd", name: "load-basic" }),
    startRegistry({ mode: "token", name: "load-token" }),
  ]);
  await Promise.all(regs.map((r) => seedStandard(r)));
  for (const r of regs) {
    const credentials = r.username ? { username: r.username, password: r.password } : undefined;
    const res = await request.post("/api/v1/registries", { data: { name: `load-${r.name}-${run}`, kind: "GENERIC", endpoint: r.url, credentials } });
    expect(res.status(), await res.text()).toBe(201);
    lab.push({ id: (await res.json()).id, name: r.name });
  }
});

test.afterAll(async () => {
  await Promise.all(regs.map((r) => r.stop()));
});

/** Signs in through Auth.js's credentials flow, as the login form does; the context keeps the session cookie. */
async function signIn(ctx: APIRequestContext, email: string) {
  const { csrfToken } = await (await ctx.get("/api/auth/csrf")).json();
  const res = await ctx.post("/api/auth/callback/credentials", { form: { csrfToken, email, password: PASSWORD, callbackUrl: "/" }, maxRedirects: 0 });
  expect(res.status(), "sign-in answers with a redirect").toBe(302);
  const me = await ctx.get("/api/v1/me");
  expect(me.status(), "signed in").toBe(200);
  expect((await me.json()).email).toBe(email);
}

interface Sample { kind: string; ms: number; status: number }

test(`${USERS} signed-in users browse the lab registries for ${SECONDS} s without an error`, async ({ request, baseURL }) => {
  // a visit started just before the end may take a while on a busy machine: it is awaited, not cut
  test.setTimeout((BASELINE_SECONDS + SECONDS + 300) * 1000);
  // users, each signed in with their own session
  // (made and signed in a few at a time: each is a password hash on the server)
  const users: APIRequestContext[] = [];
  for (let i = 0; i < USERS; i += 4) {
    users.push(...await Promise.all(Array.from({ length: Math.min(4, USERS - i) }, async (_, j) => {
      const email = `load-${i + j}-${run}@load.test`;
      const made = await request.post("/api/v1/users", { data: { email, role: "VIEWER", password: PASSWORD } });
      expect(made.status(), await made.text()).toBe(201);
      // a browser sends Origin on its POSTs; the API refuses cross-site ones
      const ctx = await http.newContext({ baseURL, extraHTTPHeaders: { origin: baseURL! } });
      await signIn(ctx, email);
      return ctx;
    })));
  }
  // what there is to browse: every tag of each lab registry's repositories
  const places: { id: string; repository: string; tags: string[] }[] = [];
  for (const r of lab) {
    for (const repository of ["demo/app", "demo/oci", "demo/multi", "demo/many"]) {
      const res = await request.get(`/api/v1/registries/${r.id}/tags?${new URLSearchParams({ repository })}`);
      expect(res.status()).toBe(200);
      places.push({ id: r.id, repository, tags: ((await res.json()).tags as { name: string }[]).map((t) => t.name) });
    }
  }

  const samples: Sample[] = [];
  const errors: string[] = [];
  let resets = 0;
  // a browser sends a GET again when a kept-alive connection was closed under it; so do we, and count it
  const send = async (ctx: APIRequestContext, url: string, post?: unknown) => {
    const opts = { timeout: 90_000, maxRedirects: 0 };
    if (post !== undefined) return ctx.post(url, { ...opts, data: post });
    try {
      return await ctx.get(url, opts);
    } catch (e) {
      if (!/ECONNRESET|socket hang up/.test((e as Error).message)) throw e;
      resets++;
      return ctx.get(url, opts);
    }
  };
  const get = async (ctx: APIRequestContext, kind: string, url: string, post?: unknown) => {
    const t0 = performance.now();
    try {
      const res = await send(ctx, url, post);
      await res.body();
      samples.push({ kind, ms: performance.now() - t0, status: res.status() });
      if (res.status() >= 300) errors.push(`${kind} ${url} → ${res.status()}`);
    } catch (e) {
      samples.push({ kind, ms: performance.now() - t0, status: 0 });
      errors.push(`${kind} ${url} → ${(e as Error).message.split("\n")[0]}`);
    }
  };
  const pick = <T,>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;

  // one user: overview → a tag list → a tag page, again and again until the time is up
  const browse = async (ctx: APIRequestContext, until: number) => {
    let visits = 0;
    while (Date.now() < until) {
      await get(ctx, "overview page", "/");
      await get(ctx, "API registries", "/api/v1/registries");
      await Promise.all(lab.map((r) => get(ctx, "API health", `/api/v1/registries/${r.id}/health`)));
      const p = pick(places);
      const q = new URLSearchParams({ repository: p.repository });
      await get(ctx, "tag list page", `/registries/${p.id}/tags?${q}`);
      await get(ctx, "API tags", `/api/v1/registries/${p.id}/tags?${q}`);
      await get(ctx, "API tag details", `/api/v1/registries/${p.id}/tags/details`, { repository: p.repository, tags: p.tags.slice(0, 200) });
      const reference = pick(p.tags);
      const m = new URLSearchParams({ repository: p.repository, reference });
      await get(ctx, "tag page", `/registries/${p.id}/manifest?${m}`);
      await get(ctx, "API manifest", `/api/v1/registries/${p.id}/manifests?${m}`);
      visits++;
    }
    return visits;
  };

  const pct = (xs: number[], p: number) => xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]! : NaN;
  const fmt = (ms: number) => (ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`);

  // the same machine's answer times with one user, just before: what concurrency adds, apart from the machine's load
  const b0 = Date.now();
  await browse(users[0]!, b0 + BASELINE_SECONDS * 1000);
  const baseline = samples.splice(0).map((s) => s.ms);
  const baselineErrors = errors.length;

  const load0 = os.loadavg();
  const t0 = Date.now();
  const visits = (await Promise.all(users.map((ctx) => browse(ctx, t0 + SECONDS * 1000)))).reduce((a, b) => a + b, 0);
  const secs = (Date.now() - t0) / 1000;
  const load1 = os.loadavg();
  await Promise.all(users.map((u) => u.dispose()));

  const kinds = [...new Set(samples.map((s) => s.kind))];
  const row = (kind: string, xs: number[]) => `| ${kind} | ${xs.length} | ${fmt(pct(xs, 50))} | ${fmt(pct(xs, 95))} | ${fmt(pct(xs, 99))} |`;
  const all = samples.map((s) => s.ms);
  const report = [
    `Run: ${new Date(t0).toISOString()}, ${USERS} users for ${secs.toFixed(1)} s (the last visits finish after ${SECONDS} s); ${samples.length} requests (${(samples.length / secs).toFixed(1)}/s), ${visits} full visits, ${errors.length} errors, ${resets} GETs sent again after a closed keep-alive connection.`,
    `Load average (1/5/15 min) at start ${load0.map((l) => l.toFixed(2)).join(" / ")}, at end ${load1.map((l) => l.toFixed(2)).join(" / ")}; ${os.cpus().length} CPUs.`,
    `Same run, one user alone for ${BASELINE_SECONDS} s just before: ${baseline.length} requests, p50 ${fmt(pct(baseline, 50))}, p95 ${fmt(pct(baseline, 95))}.`,
    "",
    "| Request | count | p50 | p95 | p99 |",
    "| --- | --- | --- | --- | --- |",
    ...kinds.map((k) => row(k, samples.filter((s) => s.kind === k).map((s) => s.ms))),
    row("**all**", all),
  ].join("\n");
  console.log(`\n[load]\n${report}\n`);
  fs.mkdirSync(".test-data", { recursive: true });
  fs.writeFileSync(".test-data/load-report.md", report + "\n");
  expect(baselineErrors, "errors with one user").toBe(0);
  expect(errors.slice(0, 20), `${errors.length} errors`).toEqual([]);
  // every user got through at least one whole visit (nine requests); how many more depends on the
  // machine's load (npm test runs two lanes side by side), not on Regatta
  expect(visits).toBeGreaterThanOrEqual(USERS);
});

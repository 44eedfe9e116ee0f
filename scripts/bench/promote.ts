// Promotions through Regatta's API (a running app, an API token, as CI calls it: POST, then GET
// until the API says succeeded) beside `skopeo copy` of the same image in the same run (issue 15).
// Part of `npm run bench`; also `npx tsx scripts/bench/promote.ts [--no-write]`.
//   BENCH_PROMOTE_RUNS=5 BENCH_BIG_RUNS=3 BENCH_BIG_MIB=200 BENCH_PICKUPS=20
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { apiToken, startApp } from "../lib/app-server";
import { pushBigImage, pushImage, seedStandard, startRegistry, type RunningRegistry } from "../../test/harness";
import pg from "pg";
import { blobTraffic, fmtBytes, logMark, logSince, median, percentile, rssGrowth, sql, timed } from "./measure";
import { writeReport } from "./report";
import { forgetSkopeoBlobLocations, prepareSkopeo, skopeoCopyArgs, timedSkopeo } from "./skopeo-tools";

const RUNS = Number(process.env.BENCH_PROMOTE_RUNS ?? 5);
const BIG_RUNS = Number(process.env.BENCH_BIG_RUNS ?? 3);
const BIG_MIB = Number(process.env.BENCH_BIG_MIB ?? 200);
const PICKUPS = Number(process.env.BENCH_PICKUPS ?? 20);
const POLL_MS = 10;
/** BENCH_POLL=1: GET every POLL_MS instead of one `?wait=` long-poll */
const WAIT = process.env.BENCH_POLL !== "1";
/** CI's form: `POST …?wait=30`, one request answered once the promotion has finished; BENCH_FORM=get: the POST, then `GET …?wait=30` */
const ONE_REQUEST = WAIT && process.env.BENCH_FORM !== "get";
const log = (s: string) => process.stderr.write(`${s}\n`);
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" / ");

interface Run {
  id: string;
  /** client clock (ms since epoch): POST sent, answered, and the GET that said succeeded */
  sentAt: number;
  answeredAt: number;
  doneAt: number;
  bytesDone: number;
}

interface Split { request: number; pickup: number; run: number; seen: number }

export async function benchPromotions(): Promise<string> {
  prepareSkopeo();
  const startedAt = new Date();
  const loadStart = load();
  const app = await startApp({ dir: path.resolve(".test-data/bench-app"), port: Number(process.env.BENCH_APP_PORT || 3290), admin: { email: "admin@bench.test", password: "bench-admin-password" } });
  const regs: RunningRegistry[] = [];
  try {
    const token = await apiToken(app.databaseUrl, "ADMIN");
    const api = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(`${app.url}/api/v1${p}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
      const json = await res.json();
      if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const addRegistry = async (reg: RunningRegistry, name: string) =>
      (await api("POST", "/registries", { name, kind: "GENERIC", endpoint: reg.url, credentials: reg.username ? { username: reg.username, password: reg.password } : undefined })).id as string;

    // ---- retag within one repository (inline: the POST answers succeeded) -----------------
    const rows: string[] = [];
    for (const mode of ["open", "htpasswd"] as const) {
      const reg = await startRegistry({ mode, name: `bench-promote-${mode}` });
      regs.push(reg);
      await seedStandard(reg);
      const id = await addRegistry(reg, `bench-${mode}`);
      const ours: number[] = [];
      const theirs: number[] = [];
      // one warm-up each: the app's client learns the auth scheme
      await api("POST", "/promotions", { source: { registryId: id, repository: "demo/app", reference: "1.0.0" }, target: { registryId: id, repository: "demo/app", tag: "warm" } });
      await timedSkopeo(skopeoCopyArgs(reg, "demo/app:1.0.0", reg, "demo/app:warm-skopeo"));
      for (let i = 0; i < RUNS; i++) {
        const r = await timed(() => api("POST", "/promotions", { source: { registryId: id, repository: "demo/app", reference: "1.0.0" }, target: { registryId: id, repository: "demo/app", tag: `api-${i}` } }));
        if (r.value.state !== "succeeded") throw new Error(`retag ${i}: ${JSON.stringify(r.value)}`);
        ours.push(r.ms);
        theirs.push(await timedSkopeo(skopeoCopyArgs(reg, "demo/app:1.0.0", reg, `demo/app:sk-${i}`)));
      }
      rows.push(row(`Retag demo/app:1.0.0 → new tag, same repository, ${mode} (the POST answers succeeded)`, ours, theirs, 0.75));
      log(`retag ${mode}: ours ${fmt(median(ours))}, skopeo ${fmt(median(theirs))}`);
    }

    // ---- the issue's cases: A (open, the source) → B (token auth) ---------------------------
    const [a, b] = await Promise.all([startRegistry({ mode: "open", name: "bench-promote-a" }), startRegistry({ mode: "token", name: "bench-promote-b" })]);
    regs.push(a, b);
    await seedStandard(a);
    // 1 MiB in 4 random layers (incompressible), Docker schema 2
    await pushImage(a, "demo/small:1", { format: "v2s2", layers: [0, 1, 2, 3].map((i) => ({ randomBytes: 256 * 1024, files: { [`layer-${i}.txt`]: `${i}\n` } })) });
    const big = await pushBigImage(a, "big:1", BIG_MIB);
    const [idA, idB] = [await addRegistry(a, "bench-a"), await addRegistry(b, "bench-b")];
    log(`promote registries seeded (big image ${BIG_MIB} MiB in ${big.seconds.toFixed(1)} s)`);

    const runs = new Map<string, Run[]>();
    const promote = async (key: string, source: { registryId: string; repository: string; reference: string }, target: { registryId: string; repository: string; tag: string }): Promise<Run> => {
      const sentAt = Date.now();
      const started = await api("POST", ONE_REQUEST ? "/promotions?wait=30" : "/promotions", { source, target });
      const answeredAt = Date.now();
      let p = started;
      for (let i = 0; p.state !== "succeeded"; i++) {
        if (p.state === "failed") throw new Error(`promotion to ${target.repository}: ${p.error}`);
        if (i > 4) throw new Error(`promotion to ${target.repository} did not finish`);
        // one long-poll: the API answers when it has finished (CI's form; no polling interval)
        if (WAIT) p = await api("GET", `/promotions/${started.id}?wait=30`);
        else {
          await new Promise((r) => setTimeout(r, POLL_MS));
          p = await api("GET", `/promotions/${started.id}`);
          i = 0;
        }
      }
      const r = { id: started.id as string, sentAt, answeredAt, doneAt: Date.now(), bytesDone: p.bytesDone as number };
      runs.set(key, [...(runs.get(key) ?? []), r]);
      return r;
    };
    // one warm-up through each registry (the app's clients learn auth schemes and tokens), not measured
    await promote("warm", { registryId: idA, repository: "demo/app", reference: "1.0.0" }, { registryId: idB, repository: "warm/app", tag: "1.0.0" });
    await timedSkopeo(skopeoCopyArgs(a, "demo/app:1.0.0", b, "warm-sk/app:1.0.0"));

    const sizes = new Map<string, number>();
    const cases: { key: string; label: string; target: number; repo: string; ref: string; to: "A" | "B"; runs: number; all?: boolean }[] = [
      { key: "small", label: "1 MiB image (4 layers) to another registry (token auth)", target: 0.75, repo: "demo/small", ref: "1", to: "B", runs: RUNS },
      { key: "index", label: "multi-arch index (2 platforms) to a new repository, same registry", target: 0.75, repo: "demo/multi", ref: "1.0", to: "A", runs: RUNS, all: true },
      { key: "big", label: `${BIG_MIB} MiB image to another registry (token auth)`, target: 1.0, repo: "big", ref: "1", to: "B", runs: BIG_RUNS },
    ];
    const results: Record<string, { ours: number[]; theirs: number[]; oursRequests: number[]; skRequests: number[]; targetHeads: number[]; rss: number[]; again?: { ours: number[]; theirs: number[]; bytes: number[]; uploaded: number[]; skUploaded: number[] } }> = {};
    for (const c of cases) {
      const dst = c.to === "A" ? a : b;
      const dstId = c.to === "A" ? idA : idB;
      const out = (results[c.key] = { ours: [] as number[], theirs: [] as number[], oursRequests: [] as number[], skRequests: [] as number[], targetHeads: [] as number[], rss: [] as number[] } as (typeof results)[string]);
      for (let i = 0; i < c.runs; i++) {
        const repo = `${c.key}-ours-${i}/img`;
        // a cold copy for Regatta too: forget which repositories of B hold what (TagRecord feeds the
        // blob index), or from run 2 on it mounts from run 1's repository while skopeo starts cold
        if (c.to === "B") await sql(app.databaseUrl, `DELETE FROM "TagRecord" WHERE "registryId" = $1`, [idB]);
        let at = [logMark(a), logMark(b)];
        const measured = await rssGrowth(app.pid, () => promote(c.key, { registryId: idA, repository: c.repo, reference: c.ref }, { registryId: dstId, repository: repo, tag: c.ref }));
        const r = measured.value;
        out.ours.push(r.doneAt - r.sentAt);
        out.rss.push(measured.growthMiB);
        const [la, lb] = [await logSince(a, at[0]!), await logSince(b, at[1]!)];
        const dstLog = c.to === "A" ? la : lb;
        out.oursRequests.push(c.to === "A" ? la.length : la.length + lb.length);
        out.targetHeads.push(dstLog.filter((e) => e.method === "HEAD" && e.path.startsWith(`/v2/${repo}/manifests/`)).length);
        forgetSkopeoBlobLocations(); // skopeo starts cold, as Regatta's first copy does
        at = [logMark(a), logMark(b)];
        const args = skopeoCopyArgs(a, `${c.repo}:${c.ref}`, dst, `${c.key}-sk-${i}/img:${c.ref}`);
        out.theirs.push(await timedSkopeo(c.all ? ["copy", "--all", ...args.slice(1)] : args));
        const [sa, sb] = [await logSince(a, at[0]!), await logSince(b, at[1]!)];
        out.skRequests.push(c.to === "A" ? sa.length : sa.length + sb.length);

        if (c.key === "big") {
          // issue 15 item 3: the same image again to a NEW repository of B: Regatta mounts from the
          // repository its index says holds each blob; skopeo from its blob-info cache, warm from the copy above
          if (!sizes.size) {
            const m = await (await fetch(`${a.url}/v2/big/manifests/1`, { headers: { accept: "application/vnd.oci.image.manifest.v1+json" } })).json() as { config: { digest: string; size: number }; layers: { digest: string; size: number }[] };
            for (const d of [m.config, ...m.layers]) sizes.set(d.digest, d.size);
          }
          const again = (out.again ??= { ours: [], theirs: [], bytes: [], uploaded: [], skUploaded: [] });
          at = [logMark(a), logMark(b)];
          const twice = await promote("again", { registryId: idA, repository: "big", reference: "1" }, { registryId: idB, repository: `again-ours-${i}/img`, tag: "1" });
          again.ours.push(twice.doneAt - twice.sentAt);
          again.bytes.push(twice.bytesDone);
          again.uploaded.push(blobTraffic(await logSince(b, at[1]!), sizes).bytesUploaded);
          at = [logMark(a), logMark(b)];
          again.theirs.push(await timedSkopeo(skopeoCopyArgs(a, "big:1", b, `again-sk-${i}/img:1`)));
          again.skUploaded.push(blobTraffic(await logSince(b, at[1]!), sizes).bytesUploaded);
        }
        log(`${c.key} run ${i + 1}: ours ${fmt(out.ours.at(-1)!)}, skopeo ${fmt(out.theirs.at(-1)!)}${out.again ? `; again ours ${fmt(out.again.ours.at(-1)!)}, skopeo ${fmt(out.again.theirs.at(-1)!)}` : ""}`);
      }
    }

    // ---- job start latency: small promotions one after another, a worker always free ---------
    for (let i = 0; i < PICKUPS; i++) {
      await promote("pickup", { registryId: idA, repository: "demo/app", reference: "1.0.0" }, { registryId: idA, repository: `pickup-${i}/app`, tag: "1.0.0" });
    }

    // ---- where the time goes, from the Promotion rows (the app's clock = this machine's) -------
    const all = [...runs.values()].flat();
    const c = new pg.Client({ connectionString: app.databaseUrl });
    await c.connect();
    const stamps = new Map((await c.query<{ id: string; createdAt: Date; startedAt: Date; finishedAt: Date }>(`SELECT id, "createdAt", "startedAt", "finishedAt" FROM "Promotion" WHERE id = ANY($1)`, [all.map((r) => r.id)])).rows.map((r) => [r.id, r]));
    await c.end();
    const split = (key: string): Split => {
      const rs = runs.get(key) ?? [];
      const parts = rs.map((r) => {
        const s = stamps.get(r.id)!;
        return {
          request: s.createdAt.getTime() - r.sentAt, // token, rules, source HEAD ∥ target HEAD, up to the row
          pickup: s.startedAt.getTime() - s.createdAt.getTime(), // queue send, wake-up, claim
          run: s.finishedAt.getTime() - s.startedAt.getTime(), // lock, HEAD, copy, tag history, audit
          seen: r.doneAt - s.finishedAt.getTime(), // until the client's next GET said succeeded
        };
      });
      return { request: median(parts.map((p) => p.request)), pickup: median(parts.map((p) => p.pickup)), run: median(parts.map((p) => p.run)), seen: median(parts.map((p) => p.seen)) };
    };
    const pickups = all.filter((r) => stamps.has(r.id)).map((r) => stamps.get(r.id)!.startedAt.getTime() - stamps.get(r.id)!.createdAt.getTime());
    const pickupToAnswer = all.filter((r) => stamps.has(r.id)).map((r) => stamps.get(r.id)!.startedAt.getTime() - r.answeredAt);

    for (const cs of cases) {
      const r = results[cs.key]!;
      rows.push(row(`${cs.label}: POST until the API says succeeded`, r.ours, r.theirs, cs.target));
      if (r.again) {
        rows.push(
          row(`Same ${BIG_MIB} MiB image again, to a *new* repository of that registry (Regatta: mounts from its shared index; skopeo: warm blob-info cache); blob bytes uploaded: Regatta ${fmtBytes(Math.max(...r.again.uploaded))} (bytesDone ${Math.max(...r.again.bytes)}), skopeo ${fmtBytes(Math.max(...r.again.skUploaded))}`,
            r.again.ours, r.again.theirs, 1.0, Math.max(...r.again.uploaded) === 0),
        );
      }
    }
    const p95 = percentile(pickups, 95);
    rows.push(`| Job start: Promotion row created → claimed by a worker (${pickups.length} queued promotions, a worker free) | p50 ${fmt(median(pickups))}, p95 ${fmt(p95)}, max ${fmt(Math.max(...pickups))} | — | — | p95 ≤ 50 ms | ${p95 <= 50 ? "✅ met" : "❌ missed"} |`);
    const rss = results.big!.rss;
    rows.push(`| RSS growth of the app's Node processes during the ${BIG_MIB} MiB cross-registry promotion (sampled every 50 ms) | worst ${rss.map((x) => x.toFixed(0)).join(", ")} MiB → ${Math.max(...rss).toFixed(0)} MiB | — | — | ≤ 64 MiB | ${Math.max(...rss) <= 64 ? "✅ met" : "❌ missed"} |`);

    // inside the app: its "promotion request timings" and "promotion run timings" log lines (ms from
    // the start of the request's checks, and from the hand-over of the run to the process running it)
    const stepsOf = new Map<string, { request?: Record<string, number>; run?: Record<string, number>; startedBy?: string }>();
    for (const line of fs.readFileSync(app.logPath, "utf8").split("\n")) {
      if (!line.includes("promotion request timings") && !line.includes("promotion run timings")) continue;
      try {
        const e = JSON.parse(line) as { msg: string; promotionId: string; startedBy: string; ms: Record<string, number> };
        const s = stepsOf.get(e.promotionId) ?? {};
        if (e.msg === "promotion request timings") s.request = e.ms;
        else (s.run = e.ms), (s.startedBy = e.startedBy);
        stepsOf.set(e.promotionId, s);
      } catch {
        // not a JSON line
      }
    }
    const stepCell = (key: string, part: "request" | "run", names: string[]) => names.map((n) => {
      const xs = (runs.get(key) ?? []).map((r) => stepsOf.get(r.id)?.[part]?.[n]).filter((x): x is number => typeof x === "number");
      return xs.length ? `${n} ${Math.round(median(xs))}` : null;
    }).filter(Boolean).join(", ") || "—";
    const stepRows = (["small", "index", "big", "again", "pickup"] as const).filter((k) => runs.has(k)).map((k) => {
      const by = [...new Set((runs.get(k) ?? []).map((r) => stepsOf.get(r.id)?.startedBy ?? "?"))].join("/");
      return `| ${k} | ${stepCell(k, "request", ["registries", "rules", "lock", "heads", "gate", "row", "queued"])} | ${by} | ${stepCell(k, "run", ["claimed", "locked", "targetHead", "gate", "copied", "stateWritten", "recorded"])} |`;
    });

    const splitRows = (["small", "index", "big", "again", "pickup"] as const).filter((k) => runs.has(k)).map((k) => {
      const s = split(k);
      const total = median((runs.get(k) ?? []).map((r) => r.doneAt - r.sentAt));
      const heads = k === "again" || k === "pickup" ? "—" : `${Math.max(...results[k]!.targetHeads)} (ours), ${median(results[k]!.oursRequests)} vs ${median(results[k]!.skRequests)} registry requests (ours vs skopeo)`;
      return `| ${k} | ${fmt(total)} | ${fmt(s.request)} | ${fmt(s.pickup)} | ${fmt(s.run)} | ${fmt(s.seen)} | ${heads} |`;
    });

    return [
      "## Promotions through the API (issues 5 and 15)",
      "",
      `Command: \`npm run bench\` (or \`npx tsx scripts/bench/promote.ts\`); \`BENCH_PROMOTE_RUNS=${RUNS} BENCH_BIG_RUNS=${BIG_RUNS} BENCH_BIG_MIB=${BIG_MIB} BENCH_PICKUPS=${PICKUPS}\`, medians.`,
      `Run: ${startedAt.toISOString()} → ${new Date().toISOString()}. Load average (1/5/15 min) at start ${loadStart}, at end ${load()} on ${os.availableParallelism()} CPUs shared with other work.`,
      "",
      "| Measurement | Regatta API | `skopeo copy` | Ratio (medians) | Target | Result |",
      "| --- | --- | --- | --- | --- | --- |",
      ...rows,
      "",
      `Regatta: a running app (\`npm start\`: one process, Next inside it, embedded PostgreSQL), an ADMIN API token; ${ONE_REQUEST ? "`POST /api/v1/promotions?wait=30`, one request answered once the promotion has finished (CI's form; `BENCH_FORM=get`: the POST, then `GET …/{id}?wait=30`)" : "`POST /api/v1/promotions`,"}`,
      `${ONE_REQUEST ? "" : `then ${WAIT ? "`GET /api/v1/promotions/{id}?wait=30` (answers when it has finished)" : `\`GET /api/v1/promotions/{id}\` every ${POLL_MS} ms`} `}until it says succeeded (an inline retag answers succeeded at once). skopeo: wall time of`,
      "`skopeo copy docker://A/… docker://B/…` (process start included; `--all` for the index), its blob-info cache emptied before each copy",
      "except the repeat, where it is warm from its own copy a moment earlier. Registries: harness distribution 2.8 on 127.0.0.1 (A open,",
      "B token auth with the harness token server). Each run copies into a new repository. One warm-up promotion and one skopeo copy first.",
      "Regatta's index (ManifestBlob) is in PostgreSQL, shared by every instance and every user; skopeo's cache is one file on one machine.",
      "",
      "Where a queued promotion's time goes (medians, ms; the Promotion row's createdAt/startedAt/finishedAt against the client's clock, same machine):",
      "",
      `| Case | POST → seen succeeded | POST sent → row created (token, rules, source HEAD ∥ target HEAD) | row created → claimed (send, wake-up, claim) | claimed → finished (lock, copy, tag history, audit) | finished → the client saw it (${ONE_REQUEST ? "the POST's answer" : "its GET's"}) | target tag HEADs per promotion; registry requests |`,
      "| --- | --- | --- | --- | --- | --- | --- |",
      ...splitRows,
      "",
      ONE_REQUEST
        ? `The POST answered ${fmt(median(all.map((r) => r.answeredAt - r.sentAt)))} after it was sent (median), with the finished promotion.`
        : `The POST itself answered ${fmt(median(all.map((r) => r.answeredAt - r.sentAt)))} after it was sent (median); the worker claimed the job ${fmt(median(pickupToAnswer))} after the POST's answer reached the client (negative: before).`,
      "",
      "Inside the app, from its own log lines (medians, ms, each step's end counted from the start of its part; \"started by\": the requesting instance at once, or the queue):",
      "",
      "| Case | request: registries read, rules, target lock, source ∥ target HEAD, signature gate, row, queued | started by | run: claimed, lock, target HEAD, gate, copy done, state + tag history + blob index written (the wait answers), audit written too |",
      "| --- | --- | --- | --- |",
      ...(stepRows.length && stepsOf.size ? stepRows : ["| — | (no timing lines in the app's log: an older build) | — | — |"]),
    ].join("\n");
  } finally {
    await Promise.all(regs.map((r) => r.stop()));
    await app.stop();
  }
}


function row(label: string, ours: number[], theirs: number[], target: number, extra = true): string {
  const ratio = median(ours) / median(theirs);
  return `| ${label} | ${fmt(median(ours))} (runs ${ours.map((x) => Math.round(x)).join(", ")}) | ${fmt(median(theirs))} (runs ${theirs.map((x) => Math.round(x)).join(", ")}) | ${ratio.toFixed(2)}× | ≤ ${target.toFixed(2)}×${extra === true && target === 1 && label.includes("again") ? ", 0 bytes" : ""} | ${ratio <= target && extra ? "✅ met" : "❌ missed"} |`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const md = await benchPromotions();
  console.log(md);
  if (!process.argv.includes("--no-write")) writeReport(md, "promote");
  process.exit(0);
}

// Promotion latency through Regatta's API (a running app, an API token, as CI calls it) beside
// `skopeo copy` on the same registry. Part of `npm run bench`; also `npx tsx scripts/bench/promote.ts`.
import path from "node:path";
import { apiToken, startApp } from "../lib/app-server";
import { seedStandard, startRegistry, type RunningRegistry } from "../../test/harness";
import { median, timed } from "./measure";
import { writeReport } from "./report";
import { forgetSkopeoBlobLocations, prepareSkopeo, skopeoCopyArgs, timedSkopeo } from "./skopeo-tools";

const RUNS = Number(process.env.BENCH_RUNS ?? 7);


export async function benchPromotions(): Promise<string> {
  prepareSkopeo();
  const app = await startApp({ dir: path.resolve(".test-data/bench-app"), port: Number(process.env.BENCH_APP_PORT || 3290), admin: { email: "admin@bench.test", password: "bench-admin-password" } });
  const regs: RunningRegistry[] = [];
  try {
    const token = await apiToken(app.databaseUrl, "ADMIN");
    const call = async (p: string, body: unknown) => {
      const res = await fetch(`${app.url}/api/v1${p}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      const json = await res.json();
      if (!res.ok) throw new Error(`${p}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const rows: string[] = [];
    for (const mode of ["open", "htpasswd"] as const) {
      const reg = await startRegistry({ mode, name: `bench-promote-${mode}` });
      regs.push(reg);
      await seedStandard(reg);
      const { id } = await call("/registries", { name: `bench-${mode}`, kind: "GENERIC", endpoint: reg.url, credentials: reg.username ? { username: reg.username, password: reg.password } : undefined });
      const ours: number[] = [];
      const theirs: number[] = [];
      // one warm-up each: the app's first call compiles nothing, but its client learns the auth scheme
      await call("/promotions", { source: { registryId: id, repository: "demo/app", reference: "1.0.0" }, target: { registryId: id, repository: "demo/app", tag: "warm" } });
      await timedSkopeo(skopeoCopyArgs(reg, "demo/app:1.0.0", reg, "demo/app:warm-skopeo"));
      for (let i = 0; i < RUNS; i++) {
        const r = await timed(() => call("/promotions", { source: { registryId: id, repository: "demo/app", reference: "1.0.0" }, target: { registryId: id, repository: "demo/app", tag: `api-${i}` } }));
        if (r.value.state !== "succeeded") throw new Error(`retag ${i}: ${JSON.stringify(r.value)}`);
        ours.push(r.ms);
        theirs.push(await timedSkopeo(skopeoCopyArgs(reg, "demo/app:1.0.0", reg, `demo/app:sk-${i}`)));
      }
      const ratio = median(ours) / median(theirs);
      rows.push(`| Retag demo/app:1.0.0 → new tag, ${mode} | ${median(ours).toFixed(0)} ms | ${median(theirs).toFixed(0)} ms | ${ratio.toFixed(2)}× | ≤ 0.75× | ${ratio <= 0.75 ? "✅ met" : "❌ missed"} |`);
    }
    rows.push(...(await blobReuse(app.url, token, call, regs)));
    return [
      "## Promotions through the API (issue 5)",
      "",
      `Command: \`npm run bench\` (or \`npx tsx scripts/bench/promote.ts\`), ${RUNS} runs each, medians. ${new Date().toISOString()}.`,
      "",
      "| Measurement | Regatta API (`POST /api/v1/promotions`) | `skopeo copy` same registry | Ratio | Target | Result |",
      "| --- | --- | --- | --- | --- | --- |",
      ...rows,
      "",
      "Ours is the whole HTTP round trip of `POST /api/v1/promotions` with an API token against a running Regatta",
      "(`npm start`: one process, the call reaches Next in it; embedded PostgreSQL): token lookup, registries and protection rules, GET of the source manifest and HEAD",
      "of the target tag, the Promotion row, the target-tag lock, PUT of the same bytes, the tag history and the audit",
      "event. skopeo's is the wall time of the command",
      "`skopeo copy docker://reg/demo/app:1.0.0 docker://reg/demo/app:sk-N`, as a user would run it (process start included).",
    ].join("\n");
  } finally {
    await Promise.all(regs.map((r) => r.stop()));
    await app.stop();
  }
}

/**
 * Issue 15 item 3: the same image promoted again to a NEW repository of another registry (token auth).
 * Regatta mounts every blob from the repository its index says holds it (shared by every instance and
 * user); skopeo mounts from its per-machine blob-info cache, warm from its own first copy.
 */
async function blobReuse(url: string, token: string, call: (p: string, body: unknown) => Promise<any>, regs: RunningRegistry[]): Promise<string[]> {
  const [a, b] = await Promise.all([startRegistry({ mode: "open", name: "bench-reuse-a" }), startRegistry({ mode: "token", name: "bench-reuse-b" })]);
  regs.push(a, b);
  await seedStandard(a);
  const ids = await Promise.all([a, b].map(async (r, i) => (await call("/registries", { name: `bench-reuse-${i}-${Date.now()}`, kind: "GENERIC", endpoint: r.url, credentials: r.username ? { username: r.username, password: r.password } : undefined })).id as string));
  const promoteAndWait = async (repository: string) => {
    const started = await call("/promotions", { source: { registryId: ids[0], repository: "demo/app", reference: "1.0.0" }, target: { registryId: ids[1], repository, tag: "1.0.0" } });
    for (let i = 0; i < 6000; i++) {
      const res = await fetch(`${url}/api/v1/promotions/${started.id}`, { headers: { authorization: `Bearer ${token}` } });
      const p = await res.json();
      if (p.state === "succeeded") return p as { bytesDone: number };
      if (p.state === "failed") throw new Error(`promotion to ${repository}: ${p.error}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`promotion to ${repository} did not finish`);
  };
  const ours: number[] = [], theirs: number[] = [], bytes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await promoteAndWait(`reuse-${i}/first`);
    const again = await timed(() => promoteAndWait(`reuse-${i}/again`));
    ours.push(again.ms);
    bytes.push(again.value.bytesDone);
    forgetSkopeoBlobLocations();
    await timedSkopeo(skopeoCopyArgs(a, "demo/app:1.0.0", b, `sk-${i}/first:1.0.0`));
    theirs.push(await timedSkopeo(skopeoCopyArgs(a, "demo/app:1.0.0", b, `sk-${i}/again:1.0.0`)));
  }
  const ratio = median(ours) / median(theirs);
  return [
    `| demo/app:1.0.0 promoted again to a new repository of another registry (token auth): POST until succeeded, beside skopeo's warm-cache copy; blob bytes moved: ${Math.max(...bytes)} | ${median(ours).toFixed(0)} ms | ${median(theirs).toFixed(0)} ms | ${ratio.toFixed(2)}× | ≤ 1.0×, 0 bytes | ${ratio <= 1 && Math.max(...bytes) === 0 ? "✅ met" : "❌ missed"} |`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const md = await benchPromotions();
  console.log(md);
  if (!process.argv.includes("--no-write")) writeReport(md, "promote");
  process.exit(0);
}

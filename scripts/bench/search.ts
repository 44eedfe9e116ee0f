// Global search (issue 4): GET /api/v1/search's service over 100,000 tags.
//   npx tsx --conditions=react-server scripts/bench/search.ts [--tags 100000] [--repositories 2000] [--runs 40] [--no-write]
// A fresh embedded PostgreSQL with the migrations; 4 registries; --repositories repositories and
// --tags tags spread over them (names like real CI tags: 1.4.2, 1.4.2-rc.1, build-<n>-<sha>,
// latest, sha-<sha>), digests shared by a few tags each. Each query shape runs --runs times, in
// turn with the others; p50 and p95 per shape, and the plan's index for each.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbedded } from "../lib/database.ts";
import { migrate } from "../lib/migrate.ts";
import { writeReport } from "./report.ts";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const TAGS = arg("tags", 100_000);
const REPOSITORIES = arg("repositories", 2_000);
const RUNS = arg("runs", 40);
const WRITE = !process.argv.includes("--no-write");
const log = (s: string) => process.stderr.write(`[search bench] ${s}\n`);
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(" / ");
const loadStart = load();

const dir = fs.mkdtempSync(path.join(path.resolve(".test-data"), "bench-search-"));
const database = await startEmbedded({ dir, quiet: true });
process.env.DATABASE_URL = database.url;
await migrate(database.url, () => {});
const { db } = await import("../../lib/db.ts");
const { search } = await import("../../lib/services/search.ts");

log(`filling ${TAGS} tags in ${REPOSITORIES} repositories of 4 registries`);
const registries: string[] = [];
for (let i = 0; i < 4; i++) {
  const r = await db.registry.create({ data: { id: crypto.randomUUID(), name: `bench-${i}`, kind: "GENERIC", endpoint: `http://127.0.0.1:${5000 + i}` } });
  registries.push(r.id);
}
const teams = ["platform", "payments", "search", "web", "data", "infra", "mobile", "ml"];
await db.$executeRawUnsafe(`
  INSERT INTO "RepositoryRecord" ("registryId", "name", "tagCount", "seenAt")
  SELECT (ARRAY['${registries.join("','")}'])[1 + i % 4]::uuid,
         (ARRAY['${teams.join("','")}'])[1 + i % 8] || '/service-' || i, ${Math.round(TAGS / REPOSITORIES)}, now()
  FROM generate_series(0, ${REPOSITORIES - 1}) i`);
await db.$executeRawUnsafe(`
  INSERT INTO "TagRecord" ("registryId", "repository", "tag", "digest", "firstSeenAt", "changedAt", "checkedAt")
  SELECT (ARRAY['${registries.join("','")}'])[1 + r % 4]::uuid,
         (ARRAY['${teams.join("','")}'])[1 + r % 8] || '/service-' || r,
         CASE i % 5 WHEN 0 THEN (i / 500) || '.' || (i / 50 % 10) || '.' || (i % 50)
                    WHEN 1 THEN (i / 500) || '.' || (i / 50 % 10) || '.' || (i % 50) || '-rc.' || (i % 7)
                    WHEN 2 THEN 'build-' || i || '-' || substr(md5(i::text), 1, 7)
                    WHEN 3 THEN 'sha-' || substr(md5(i::text), 1, 12)
                    ELSE 'pr-' || i END,
         'sha256:' || md5((i / 3)::text) || md5((i / 3 + 7)::text), now(), now(), now()
  FROM generate_series(0, ${TAGS - 1}) i, LATERAL (SELECT i % ${REPOSITORIES} AS r) x
  ON CONFLICT DO NOTHING`);
await db.$executeRawUnsafe(`ANALYZE "TagRecord"`);
await db.$executeRawUnsafe(`ANALYZE "RepositoryRecord"`);
const count = await db.tagRecord.count();
const sample = await db.tagRecord.findFirstOrThrow({ where: { tag: { startsWith: "build-4242" } } });

const shapes: Record<string, string> = {
  "tag, exact (1.4.2-like)": "1.4.2",
  "tag, rare substring": "4242",
  "tag, matches 20% (build)": "build",
  "two characters": "rc",
  "repository, last segment": "service-42",
  "repository:tag": `service-${(4242 % REPOSITORIES)}:build`,
  "digest, 12 hex": sample.digest.slice(7, 19),
  "digest, full": sample.digest,
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(shapes).map((k) => [k, []]));
const hits: Record<string, number> = {};
for (const [name, q] of Object.entries(shapes)) hits[name] = (await search(q)).results.length;
for (let run = 0; run < RUNS; run++) {
  for (const [name, q] of Object.entries(shapes)) {
    const t0 = performance.now();
    await search(q);
    times[name].push(performance.now() - t0);
  }
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

const plan = async (sql: string) => {
  const text = (await db.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN ${sql}`)).map((r) => r["QUERY PLAN"]).join(" ");
  return text.match(/Index (?:Only )?Scan (?:using|on) "?(\w+)"?/)?.[1] ?? (text.includes("Seq Scan") ? "sequential scan" : "?");
};
const d = sample.digest.slice(0, 19);
const plans = {
  "tag substring": await plan(`SELECT 1 FROM "TagRecord" WHERE "tag" ILIKE '%4242%' LIMIT 2000`),
  "tag exact": await plan(`SELECT 1 FROM "TagRecord" WHERE "tag" IN ('1.4.2')`),
  "digest prefix": await plan(`SELECT 1 FROM "TagRecord" WHERE "digest" >= '${d}' AND "digest" < '${d}g' AND "digest" LIKE '${d}%'`),
  "repository substring": await plan(`SELECT 1 FROM "RepositoryRecord" WHERE "name" ILIKE '%service-42%' LIMIT 2000`),
};
const ms = (v: number) => (v < 10 ? v.toFixed(1) : v.toFixed(0));
const md = [
  `### Global search (issue 4)`,
  ``,
  `${count.toLocaleString("en")} tags in ${REPOSITORIES.toLocaleString("en")} repositories of 4 registries; the search service (what GET /api/v1/search runs), ${RUNS} runs per query, in turn. Load ${loadStart} → ${load()} on ${os.cpus().length} cores.`,
  ``,
  `| query | q | hits | p50 | p95 |`,
  `|---|---|---|---|---|`,
  ...Object.entries(shapes).map(([name, q]) => `| ${name} | \`${q.length > 24 ? `${q.slice(0, 24)}…` : q}\` | ${hits[name]} | ${ms(pct(times[name], 0.5))} ms | ${ms(pct(times[name], 0.95))} ms |`),
  ``,
  `Plans: ${Object.entries(plans).map(([k, v]) => `${k} → ${v}`).join("; ")}.`,
].join("\n");
process.stdout.write(`${md}\n`);
if (WRITE) log(`written to ${writeReport(md, "search")}`);
await db.$disconnect();
await database.stop();
fs.rmSync(dir, { recursive: true, force: true });

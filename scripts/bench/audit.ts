// Audit (issue 6): webhook ingestion and audit queries on a real PostgreSQL (embedded, fresh).
//   npx tsx --conditions=react-server scripts/bench/audit.ts [--events 200000] [--deliveries 2000]
// Ingestion goes through receiveWebhook (what POST /api/v1/webhooks/registry/{id} runs: secret check,
// parse, dedupe, chain append, tag history); queries through lib/services/audit (what GET /api/v1/audit
// runs after the role check). No HTTP server: Next's routing is not measured.
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbedded } from "../lib/database.ts";
import { migrate } from "../lib/migrate.ts";
import { median } from "./measure.ts";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const EVENTS = arg("events", 200_000);
const DELIVERIES = arg("deliveries", 2_000);
const log = (s: string) => process.stderr.write(`${s}\n`);

const dir = fs.mkdtempSync(path.join(path.resolve(".test-data"), "bench-audit-"));
const database = await startEmbedded({ dir, quiet: true });
process.env.DATABASE_URL = database.url;
process.env.REGATTA_MASTER_KEY ||= Buffer.alloc(32, 7).toString("base64");
await migrate(database.url, () => {});

const { db } = await import("../../lib/db.ts");
const { createWebhookSecret, receiveWebhook } = await import("../../lib/services/webhooks.ts");
const audit = await import("../../lib/services/audit.ts");
const { GENESIS_HASH, eventHash } = await import("../../lib/audit/hash.ts");

const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(0));
const rows: string[][] = [];

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await fn();
  return [performance.now() - t0, v];
}

try {
  const registryId = randomUUID();
  await db.registry.create({ data: { id: registryId, name: "bench", kind: "GENERIC", endpoint: "http://127.0.0.1:1" } });
  const actor = { id: randomUUID(), email: "bench@example.com", name: null, role: "ADMIN" as const, via: "token" as const, address: null };
  const { secret } = await createWebhookSecret(actor, registryId, "http://bench");
  const envelope = (ids: string[]) => JSON.stringify({
    events: ids.map((id, i) => ({
      id, timestamp: new Date().toISOString(), action: "push",
      target: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${createHash("sha256").update(id).digest("hex")}`, size: 500, repository: `bench/app${i % 20}`, tag: `t${i % 50}` },
      request: { addr: "10.0.0.1:5555" }, actor: { name: "ci" },
    })),
  });
  const deliver = async (body: string) => {
    const req = new Request(`http://bench/api/v1/webhooks/registry/${registryId}`, { method: "POST", headers: { authorization: `Bearer ${secret}` }, body });
    return receiveWebhook(registryId, req, "127.0.0.1");
  };

  // warm up (module init, connection pool)
  for (let i = 0; i < 20; i++) await deliver(envelope([randomUUID()]));

  log(`ingestion: ${DELIVERIES} deliveries of one event, one after another`);
  const bodies = Array.from({ length: DELIVERIES }, () => envelope([randomUUID()]));
  const lat: number[] = [];
  const [seqMs] = await time(async () => { for (const b of bodies) lat.push((await time(() => deliver(b)))[0]); });
  rows.push(["Webhook delivery, 1 push event, sequential", `${ms(median(lat))} ms median, ${ms(p(lat, 0.95))} ms p95`, `${Math.round(DELIVERIES / (seqMs / 1000))} events/s`]);

  log("ingestion: the same deliveries again (registry retries): all duplicates");
  const dup: number[] = [];
  for (const b of bodies.slice(0, 500)) {
    const [t, r] = await time(() => deliver(b));
    if (r.duplicates !== 1) throw new Error("expected a duplicate");
    dup.push(t);
  }
  rows.push(["Replayed delivery (duplicate, nothing written)", `${ms(median(dup))} ms median, ${ms(p(dup, 0.95))} ms p95`, ""]);

  log("ingestion: 8 concurrent senders");
  const conc = Array.from({ length: DELIVERIES }, () => envelope([randomUUID()]));
  let next = 0;
  const [concMs] = await time(() => Promise.all(Array.from({ length: 8 }, async () => { while (next < conc.length) await deliver(conc[next++]!); })));
  rows.push(["Webhook delivery, 8 senders at once", "", `${Math.round(DELIVERIES / (concMs / 1000))} events/s (one chain lock)`]);

  log("ingestion: batches of 50 events");
  const batches = Array.from({ length: 40 }, () => envelope(Array.from({ length: 50 }, () => randomUUID())));
  const [batchMs] = await time(async () => { for (const b of batches) await deliver(b); });
  rows.push(["Webhook delivery, 50 events per POST", `${ms(batchMs / 40)} ms per POST`, `${Math.round(2000 / (batchMs / 1000))} events/s`]);

  // grow the log to EVENTS with a valid chain, written in bulk (appendAudit one by one would take minutes)
  const have = await db.auditEvent.count();
  log(`seeding the log from ${have} to ${EVENTS} events`);
  const last = await db.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { hash: true } });
  let prev = last?.hash ?? GENESIS_HASH;
  const t0 = Date.now() - 30 * 86_400_000;
  for (let done = have; done < EVENTS;) {
    const n = Math.min(2_000, EVENTS - done);
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (let i = 0; i < n; i++) {
      const k = done + i;
      const push = k % 5 !== 0;
      const f = {
        at: new Date(t0 + Math.floor((k / EVENTS) * 30 * 86_400_000)), actorKind: push ? "REGISTRY" : "USER", actor: push ? `ci-${k % 7}` : `user${k % 13}@example.com`,
        action: push ? "registry.push" : k % 10 === 0 ? "promote" : "registry.update", registryId, repository: `bench/app${k % 200}`, tag: `v${k % 1000}`,
        digest: `sha256:${createHash("sha256").update(String(k)).digest("hex")}`, previousDigest: null, sourceAddress: "10.0.0.1", outcome: "success", details: { n: k },
      };
      const hash = eventHash(prev, f);
      const b = values.length;
      tuples.push(`($${b + 1}::timestamptz, $${b + 2}::"ActorKind", $${b + 3}, $${b + 4}, $${b + 5}::uuid, $${b + 6}, $${b + 7}, $${b + 8}, NULL, $${b + 9}, 'success', $${b + 10}::jsonb, $${b + 11}, $${b + 12})`);
      values.push(f.at, f.actorKind, f.actor, f.action, f.registryId, f.repository, f.tag, f.digest, f.sourceAddress, JSON.stringify(f.details), prev, hash);
      prev = hash;
    }
    await db.$executeRawUnsafe(
      `INSERT INTO "AuditEvent" ("at","actorKind","actor","action","registryId","repository","tag","digest","previousDigest","sourceAddress","outcome","details","prevHash","hash") VALUES ${tuples.join(",")}`,
      ...values,
    );
    done += n;
  }
  const total = await db.auditEvent.count();
  log(`queries on ${total} events`);
  await db.$executeRawUnsafe(`ANALYZE "AuditEvent"`);

  const q = (o: Record<string, string>) => audit.parseAuditQuery(new URLSearchParams(o));
  const measure = async (label: string, fn: () => Promise<unknown>, runs = 15) => {
    await fn();
    const t: number[] = [];
    for (let i = 0; i < runs; i++) t.push((await time(fn))[0]);
    rows.push([label, `${ms(median(t))} ms median, ${ms(p(t, 0.95))} ms p95`, ""]);
  };
  await measure("GET /audit first page (100), no filter", () => audit.listAudit(q({})));
  await measure("… 500 per page", () => audit.listAudit(q({ limit: "500" })));
  const mid = (await db.auditEvent.findFirstOrThrow({ orderBy: { id: "asc" }, skip: Math.floor(total / 2), select: { id: true } })).id.toString();
  await measure("… a page in the middle (cursor)", () => audit.listAudit(q({ cursor: mid })));
  await measure("… actor = ci-3", () => audit.listAudit(q({ actor: "ci-3" })));
  await measure("… repository + tag", () => audit.listAudit(q({ repository: "bench/app17", tag: "v17" })));
  await measure("… digest", () => audit.listAudit(q({ digest: `sha256:${createHash("sha256").update("4242").digest("hex")}` })));
  await measure("… action = promote, one week", () => audit.listAudit(q({ action: "promote", since: new Date(Date.now() - 14 * 86_400_000).toISOString(), until: new Date(Date.now() - 7 * 86_400_000).toISOString() })));
  await measure("lastPush(registry, repository, tag)", () => audit.lastPush(registryId, "bench/app17", "v17"));
  await measure("30-day activity chart", () => audit.dailyActivity(30), 7);

  const [csvMs, csvBytes] = await time(async () => {
    const res = audit.exportAudit(q({}), "csv");
    const reader = res.body!.getReader();
    let bytes = 0;
    for (;;) { const { done, value } = await reader.read(); if (done) break; bytes += value.byteLength; }
    return bytes;
  });
  const exported = Math.min(total, audit.AUDIT_EXPORT_MAX);
  rows.push([`CSV export of ${exported.toLocaleString("en")} events`, `${(csvMs / 1000).toFixed(1)} s, ${(csvBytes / 1048576).toFixed(0)} MiB`, `${Math.round(exported / (csvMs / 1000)).toLocaleString("en")} events/s`]);

  const [vMs, report] = await time(() => audit.auditChainStatus());
  if (!report.intact) throw new Error(`chain broken: ${JSON.stringify(report.firstBroken)}`);
  rows.push([`verifyAuditChain() over ${report.checked.toLocaleString("en")} events`, `${(vMs / 1000).toFixed(1)} s`, `${Math.round(report.checked / (vMs / 1000)).toLocaleString("en")} events/s`]);

  const cpu = os.cpus();
  const out = [
    `Command: \`npx tsx --conditions=react-server scripts/bench/audit.ts\` (${DELIVERIES} deliveries, ${total.toLocaleString("en")} events), ${new Date().toISOString()},`,
    `${cpu.length} × ${cpu[0]?.model.trim()}, embedded PostgreSQL 18, Node ${process.version}.`,
    "",
    "| Measurement | Latency | Throughput |",
    "| --- | --- | --- |",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
  console.log(out);
  await db.$disconnect();
} finally {
  await database.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

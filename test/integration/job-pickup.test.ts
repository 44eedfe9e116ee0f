// Quick pick-up (issue 15, item 2): a promotion requested on one instance starts on another
// instance's idle worker at once: the request NOTIFYs with the promotion's id, that instance LISTENs
// and claims the row itself (or, without room, makes its pg-boss worker fetch now) instead of
// waiting for its next polling round. The worker here is a second pg-boss client
// with its own connections and a long polling interval, so only the wake-up can explain a quick start.
import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as promotions from "@/app/api/v1/promotions/route";
import * as collection from "@/app/api/v1/registries/route";
import { db } from "@/lib/db";
import { PROMOTION_QUEUE, stopBoss } from "@/lib/jobs/boss";
import { runPromotion } from "@/lib/services/promotion-run";
import { listenForWakeups } from "@/lib/jobs/wake";
import { pushImage, startRegistry, type RunningRegistry } from "../harness";
import { call, userWithToken } from "../support/api";
import { testDatabaseUrl } from "../support/workers";

let reg: RunningRegistry;
let other: PgBoss;
let operator: string;
let id: string;
const JOBS = 20;

beforeAll(async () => {
  reg = await startRegistry({ mode: "open", name: "pickup" });
  await pushImage(reg, "src/app:1.0", { layers: [{ files: { "/a.txt": "a" } }], format: "oci" });
  const admin = (await userWithToken("ADMIN")).token;
  operator = (await userWithToken("OPERATOR")).token;
  id = (await call(collection.POST, { token: admin, method: "POST", body: { name: `pickup-${Date.now()}`, kind: "GENERIC", endpoint: reg.url } })).json.id;
  // "another instance": its own pg-boss, polling only every 5 s; this process runs no worker
  other = new PgBoss({ connectionString: testDatabaseUrl(), schema: "pgboss" });
  await other.start();
  await other.createQueue(PROMOTION_QUEUE);
  const worker = await other.work<{ id: string }>(PROMOTION_QUEUE, { batchSize: 1, pollingIntervalSeconds: 5 }, async ([job]) => {
    await runPromotion(job.data.id);
  });
  // as lib/services/workers.ts does: a wake-up naming the promotion starts it here (the row's claim)
  await listenForWakeups(other, PROMOTION_QUEUE, worker, (promotionId) => {
    void runPromotion(promotionId);
    return true;
  });
});

afterAll(async () => {
  await stopBoss();
  await other?.stop({ graceful: true, wait: true, timeout: 5000 });
  await reg?.stop();
});

describe("job pick-up", () => {
  it(`a promotion starts on an idle worker of another instance well within one polling round (p95 over ${JOBS} jobs)`, async () => {
    const pickups: number[] = [];
    for (let i = 0; i < JOBS; i++) {
      const r = await call(promotions.POST, { token: operator, method: "POST", body: { source: { registryId: id, repository: "src/app", reference: "1.0" }, target: { registryId: id, repository: "dst/app", tag: `t${i}` } } });
      expect(r.status).toBe(202);
      let row = await db.promotion.findUniqueOrThrow({ where: { id: r.json.id } });
      for (let w = 0; w < 1500 && (row.state === "QUEUED" || row.state === "RUNNING"); w++) {
        await new Promise((res) => setTimeout(res, 10));
        row = await db.promotion.findUniqueOrThrow({ where: { id: r.json.id } });
      }
      expect(row.state).toBe("SUCCEEDED");
      pickups.push(row.startedAt!.getTime() - row.createdAt.getTime());
    }
    const sorted = [...pickups].sort((a, b) => a - b);
    const p95 = sorted[Math.ceil(0.95 * sorted.length) - 1]!;
    console.log(`[job-pickup] request → start (ms): median ${sorted[Math.floor(sorted.length / 2)]}, p95 ${p95}, max ${sorted.at(-1)}; all: ${pickups.join(", ")}`);
    // the target is 50 ms; a busy shared machine gets room, but a polling round (5 s here) would be far past it
    expect(p95).toBeLessThan(400);
  });
});

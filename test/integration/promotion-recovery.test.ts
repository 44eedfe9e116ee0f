// Issue #12 item 9: a promotion interrupted by a crash does not stay RUNNING for ever, and the
// lock on a target tag is waited for with a timeout and a clear error.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as promotion from "@/app/api/v1/promotions/[id]/route";
import * as retry from "@/app/api/v1/promotions/[id]/retry/route";
import { db } from "@/lib/db";
import { lockTarget, recoverStalePromotions, runPromotion, type Release } from "@/lib/services/promotion-run";
import { call, userWithToken } from "../support/api";
import { API_STATUS } from "@/lib/api/errors";
import type { ErrorCode } from "@/lib/errors";

let admin: string;
let registryId: string;
const run = randomUUID().slice(0, 8);
const d = (c: string) => `sha256:${c.repeat(64)}`;

beforeAll(async () => {
  admin = (await userWithToken("ADMIN")).token;
  registryId = randomUUID();
  await db.registry.create({ data: { id: registryId, name: `recovery-${run}`, kind: "GENERIC", endpoint: "http://127.0.0.1:1" } });
});

afterAll(() => {
  delete process.env.REGATTA_LOCK_WAIT_SECONDS;
});

function promotionRow(tag: string, extra: Record<string, unknown> = {}) {
  return db.promotion.create({
    data: {
      sourceRegistryId: registryId, sourceRepository: `src/${run}`, sourceReference: "v1", targetRegistryId: registryId,
      targetRepository: `dst/${run}`, targetTag: tag, kind: "promote", digest: d("a"), requestedBy: "someone@example.com", ...extra,
    },
  });
}

describe("interrupted promotions", () => {
  it("marks a RUNNING promotion without a heartbeat failed with the reason, once, and lets it be retried", async () => {
    const long = new Date(Date.now() - 60 * 60_000);
    const stale = await promotionRow("stale", { state: "RUNNING", createdAt: long, startedAt: long, heartbeatAt: new Date(Date.now() - 30 * 60_000) });
    const noBeat = await promotionRow("no-beat", { state: "RUNNING", createdAt: long, startedAt: long });
    const alive = await promotionRow("alive", { state: "RUNNING", createdAt: long, startedAt: long, heartbeatAt: new Date() });
    const done = await promotionRow("done", { state: "SUCCEEDED", createdAt: long, startedAt: long, finishedAt: long });

    // two instances recovering at once: each promotion is recovered by one of them
    const [a, b] = await Promise.all([recoverStalePromotions(), recoverStalePromotions()]);
    expect([...a, ...b].sort()).toEqual([stale.id, noBeat.id].sort());

    const view = (await call(promotion.GET, { token: admin, params: { id: stale.id } })).json;
    expect(view.state).toBe("failed");
    expect(view.error).toMatch(/interrupted/);
    expect(view.finishedAt).toBeTruthy();
    expect((await db.promotion.findUniqueOrThrow({ where: { id: alive.id } })).state).toBe("RUNNING");
    expect((await db.promotion.findUniqueOrThrow({ where: { id: done.id } })).state).toBe("SUCCEEDED");
    const events = await db.auditEvent.findMany({ where: { registryId, tag: "stale", outcome: "failure" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorKind: "SYSTEM", action: "promote", details: { promotionId: stale.id, recovered: true } });

    // retry is allowed (a running one answers 409); the registry is unreachable here, so it fails anew
    expect((await call(retry.POST, { token: admin, method: "POST", params: { id: alive.id } })).status).toBe(409);
    expect((await call(retry.POST, { token: admin, method: "POST", params: { id: stale.id } })).status).not.toBe(409);
    expect(await recoverStalePromotions()).toEqual([]);
  });
});

describe("lock waits", () => {
  it("gives up waiting for a held target tag after the timeout with a clear 409", async () => {
    const held = await lockTarget(registryId, `dst/${run}`, "busy");
    try {
      const started = Date.now();
      const err = await lockTarget(registryId, `dst/${run}`, "busy", { timeoutMs: 300 }).then(() => null, (e) => e);
      expect(err).toMatchObject({ code: "LOCKED" });
      expect(API_STATUS[err.code as ErrorCode]).toBe(409);
      expect(err.message).toContain(`dst/${run}:busy`);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await held();
    }
    // released: the next one gets it at once
    await (await lockTarget(registryId, `dst/${run}`, "busy", { timeoutMs: 5_000 }))();
  });

  it("gives up when every connection of the lock pool is held", async () => {
    const held: Release[] = [];
    try {
      for (let i = 0; i < 8; i++) held.push(await lockTarget(registryId, `dst/${run}`, `pool-${i}`));
      const err = await lockTarget(registryId, `dst/${run}`, "pool-9", { timeoutMs: 300 }).then(() => null, (e) => e);
      expect(err).toMatchObject({ code: "LOCKED" });
      expect(API_STATUS[err.code as ErrorCode]).toBe(409);
    } finally {
      await Promise.all(held.map((r) => r()));
    }
    await (await lockTarget(registryId, `dst/${run}`, "pool-9", { timeoutMs: 5_000 }))();
  });

  it("a queued promotion whose lock wait ends is failed with the reason, not left RUNNING", async () => {
    process.env.REGATTA_LOCK_WAIT_SECONDS = "0.5";
    const p = await promotionRow("queued-busy");
    const held = await lockTarget(registryId, `dst/${run}`, "queued-busy");
    try {
      const out = await runPromotion(p.id);
      expect(out.state).toBe("FAILED");
      expect(out.error).toContain("still running");
    } finally {
      await held();
      delete process.env.REGATTA_LOCK_WAIT_SECONDS;
    }
  });
});

// Retention on a schedule: the policy's cron (validated, 5 fields, UTC) decides which minute's
// pg-boss tick starts a run; a scheduled run deletes like a click would, acts as
// "regatta (schedule)", and its end is a retention.run notification (through the audit event).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as collection from "@/app/api/v1/registries/route";
import * as policies from "@/app/api/v1/retention-policies/route";
import * as policy from "@/app/api/v1/retention-policies/[id]/route";
import { db } from "@/lib/db";
import { stopBoss } from "@/lib/jobs/boss";
import { dueAt, runDuePolicies, waitForRun } from "@/lib/services/retention";
// the app loads the notifications module at start (services/workers), which subscribes it to audit commits
import "@/lib/services/notifications";
import { skopeoListTags, startRegistry, type RunningRegistry } from "../harness";
import { pushBlob, pushDistinctImage } from "../harness/distinct-images";
import { call, userWithToken } from "../support/api";

let reg: RunningRegistry;
let admin: string;
let registryId: string;
const REPO = "sched/app";

beforeAll(async () => {
  reg = await startRegistry({ mode: "open", name: "retention-schedule", deleteEnabled: true });
  const bytes = new TextEncoder().encode("sched layer");
  const layer = { digest: await pushBlob(reg, REPO, bytes), size: bytes.length };
  for (const t of ["1.0.0", "1.0.1", "1.0.2", "1.0.3"]) await pushDistinctImage(reg, REPO, t, layer);
  admin = (await userWithToken("ADMIN")).token;
  registryId = (await call(collection.POST, { token: admin, method: "POST", body: { name: `sched-${randomUUID().slice(0, 6)}`, kind: "GENERIC", endpoint: reg.url } })).json.id;
}, 60_000);

afterAll(async () => {
  await stopBoss();
  await reg?.stop();
});

describe("retention schedules", () => {
  it("refuses a schedule that is not a 5-field cron expression with the field named, and stores nothing", async () => {
    const before = await db.retentionPolicy.count();
    for (const schedule of ["every night", "0 0 3 * * *", "61 * * * *", "* * *"]) {
      const r = await call(policies.POST, { token: admin, method: "POST", body: { name: "bad", registryId, repositoryGlob: REPO, rules: { keepLast: { count: 2 } }, schedule } });
      expect(r.status, schedule).toBe(422);
      expect(r.text).toContain("schedule");
    }
    expect(await db.retentionPolicy.count()).toBe(before);
  });

  it("knows which minutes a schedule is due in (UTC)", () => {
    expect(dueAt("0 3 * * *", new Date("2026-12-02T03:00:41Z"))).toBe(true);
    expect(dueAt("0 3 * * *", new Date("2026-12-02T03:01:00Z"))).toBe(false);
    expect(dueAt("*/15 * * * *", new Date("2026-12-02T10:45:59Z"))).toBe(true);
    expect(dueAt("*/15 * * * *", new Date("2026-12-02T10:46:00Z"))).toBe(false);
  });

  it("the tick of a due minute runs the policy (acting as the schedule, notified as retention.run); other minutes do nothing", async () => {
    const created = await call(policies.POST, { token: admin, method: "POST", body: { name: "nightly", registryId, repositoryGlob: REPO, rules: { keepLast: { count: 2 } }, schedule: "30 2 * * *" } });
    expect(created.status).toBe(201);
    expect(created.json.schedule).toBe("30 2 * * *");
    const rule = await db.notificationRule.create({ data: { name: "ops", kind: "WEBHOOK", events: ["retention.run"], urlPreview: "http://127.0.0.1:9/…", sealedCiphertext: Buffer.from("x"), sealedNonce: Buffer.from("x"), sealedKeyId: "k", createdBy: "test" } });
    expect(await runDuePolicies(new Date("2026-12-02T02:31:00Z"))).toEqual([]);
    const [runId] = await runDuePolicies(new Date("2026-12-02T02:30:05Z"));
    expect(runId).toBeDefined();
    await waitForRun(runId!);
    const run = await db.retentionRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ state: "succeeded", deleted: 2, requestedBy: "regatta (schedule)" });
    expect((await skopeoListTags(reg, REPO)).sort()).toEqual(["1.0.2", "1.0.3"]);
    await expect.poll(async () => db.notificationDelivery.count({ where: { ruleId: rule.id, event: "retention.run" } }), { timeout: 10_000 }).toBe(1);
    // a PATCH to null: only by click again
    const off = await call(policy.PATCH, { token: admin, method: "PATCH", params: { id: created.json.id }, body: { schedule: null } });
    expect(off.json.schedule).toBeNull();
    expect(await runDuePolicies(new Date("2026-12-03T02:30:05Z"))).toEqual([]);
    await db.notificationRule.delete({ where: { id: rule.id } });
  });
});

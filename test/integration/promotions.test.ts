// Retag, promote and roll back against real registries, through the API as CI would call it;
// results checked with skopeo. Jobs run on pg-boss with two workers, as two instances would.
import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as promotions from "@/app/api/v1/promotions/route";
import * as promotion from "@/app/api/v1/promotions/[id]/route";
import * as retry from "@/app/api/v1/promotions/[id]/retry/route";
import * as rules from "@/app/api/v1/protection-rules/route";
import * as collection from "@/app/api/v1/registries/route";
import * as history from "@/app/api/v1/registries/[id]/tag-history/route";
import { db } from "@/lib/db";
import { PROMOTION_QUEUE, stopBoss } from "@/lib/jobs/boss";
import { runPromotion } from "@/lib/services/promotion-run";
import { startWorkers } from "@/lib/services/workers";
import { pushBigImage, seedStandard, skopeoInspect, startRegistry, type RunningRegistry, type StandardSeed } from "../harness";
import { call, userWithToken, waitForPromotion } from "../support/api";
import { testDatabaseUrl } from "../support/workers";

let open: RunningRegistry;
let basic: RunningRegistry;
let seed: StandardSeed;
let admin: string;
let operator: string;
const ids: Record<string, string> = {};
let second: PgBoss;

const waitFor = (id: string, token = admin) => waitForPromotion(token, id);

const promote = (token: string, body: unknown) => call(promotions.POST, { token, method: "POST", body });
const digestOf = async (reg: RunningRegistry, ref: string) => (await skopeoInspect(reg, ref)).Digest as string;
const uploads = (reg: RunningRegistry) => reg.accessLog().filter((e) => /\/blobs\/uploads\//.test(e.path) && (e.method === "PATCH" || e.method === "PUT")).length;

beforeAll(async () => {
  [open, basic] = await Promise.all([startRegistry({ mode: "open", name: "promo-open" }), startRegistry({ mode: "htpasswd", name: "promo-basic" })]);
  [seed] = await Promise.all([seedStandard(open), seedStandard(basic)]);
  admin = (await userWithToken("ADMIN")).token;
  operator = (await userWithToken("OPERATOR")).token;
  for (const [name, r] of Object.entries({ open, basic })) {
    const res = await call(collection.POST, { token: admin, method: "POST", body: { name: `promo-${name}`, kind: "GENERIC", endpoint: r.url, credentials: r.username ? { username: r.username, password: r.password } : undefined } });
    ids[name] = res.json.id;
  }
  // two instances: this process's workers, and a second pg-boss client with its own worker
  await startWorkers();
  second = new PgBoss({ connectionString: testDatabaseUrl(), schema: "pgboss" });
  await second.start();
  await second.work<{ id: string }>(PROMOTION_QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
    await runPromotion(job.data.id);
  });
});

afterAll(async () => {
  await second?.stop({ graceful: true, wait: true, timeout: 5000 });
  await stopBoss();
  await Promise.all([open?.stop(), basic?.stop()]);
});

describe("promotions", () => {
  it("retags inside a repository at once, and skopeo sees the digest on the new tag", async () => {
    const r = await promote(operator, { source: { registryId: ids.open, repository: "demo/app", reference: "1.0.0" }, target: { registryId: ids.open, repository: "demo/app", tag: "release" } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ kind: "retag", state: "succeeded", digest: seed.digests["demo/app:1.0.0"] });
    expect(await digestOf(open, "demo/app:release")).toBe(seed.digests["demo/app:1.0.0"]);
  });

  it("answers 409 with both digests instead of overwriting, and overwrites when told", async () => {
    const body = { source: { registryId: ids.open, repository: "demo/app", reference: "1.1.0" }, target: { registryId: ids.open, repository: "demo/app", tag: "release" } };
    const refused = await promote(operator, body);
    expect(refused.status).toBe(409);
    expect(refused.json.error.details).toEqual({ currentDigest: seed.digests["demo/app:1.0.0"], newDigest: seed.digests["demo/app:1.1.0"] });
    expect(await digestOf(open, "demo/app:release")).toBe(seed.digests["demo/app:1.0.0"]);
    const ok = await promote(operator, { ...body, overwrite: true });
    expect(ok.json.state).toBe("succeeded");
    expect(await digestOf(open, "demo/app:release")).toBe(seed.digests["demo/app:1.1.0"]);
  });

  it("keeps the tag's history and rolls back to the digest it had before", async () => {
    const res = await fetchHistory();
    expect(res.map((c: { digest: string }) => c.digest)).toEqual([seed.digests["demo/app:1.1.0"], seed.digests["demo/app:1.0.0"]]);
    // each change says where it came from and who, the first one had no digest before
    expect(res.map((c: { previousDigest: string | null; source: string }) => [c.previousDigest, c.source])).toEqual([[seed.digests["demo/app:1.0.0"], "regatta"], [null, "regatta"]]);
    const record = await db.tagRecord.findUniqueOrThrow({ where: { registryId_repository_tag: { registryId: ids.open, repository: "demo/app", tag: "release" } } });
    expect(record).toMatchObject({ digest: seed.digests["demo/app:1.1.0"], pushedBy: res[0].actor });
    expect(res[0].actor).toBeTruthy();
    expect(record.pushedAt!.getTime()).toBe(new Date(res[0].at).getTime());
    // the same digest promoted onto the tag again moves nothing: no new change, the record as it was
    const same = await promote(operator, { overwrite: true, source: { registryId: ids.open, repository: "demo/app", reference: "1.1.0" }, target: { registryId: ids.open, repository: "demo/app", tag: "release" } });
    expect(same.json.state).toBe("succeeded");
    expect(await fetchHistory()).toEqual(res);
    expect(await db.tagRecord.findUniqueOrThrow({ where: { registryId_repository_tag: { registryId: ids.open, repository: "demo/app", tag: "release" } } })).toEqual(record);
    const back = await promote(operator, { kind: "rollback", overwrite: true, source: { registryId: ids.open, repository: "demo/app", reference: res[0].previousDigest }, target: { registryId: ids.open, repository: "demo/app", tag: "release" } });
    expect(back.json).toMatchObject({ kind: "rollback", state: "succeeded" });
    expect(await digestOf(open, "demo/app:release")).toBe(seed.digests["demo/app:1.0.0"]);
  });

  it("plans a dry run without writing, then promotes to another repository mounting every blob", async () => {
    const body = { source: { registryId: ids.open, repository: "demo/multi", reference: "1.0" }, target: { registryId: ids.open, repository: "prod/multi", tag: "1.0" } };
    const plan = await promote(operator, { ...body, dryRun: true });
    expect(plan.status).toBe(200);
    expect(plan.json.plan.blobs.length).toBeGreaterThan(0);
    expect(plan.json.plan.blobs.every((b: { action: string }) => b.action === "mount")).toBe(true);
    expect(plan.json.plan.bytesToCopy).toBe(0);
    await expect(skopeoInspect(open, "prod/multi:1.0")).rejects.toThrow();
    const before = uploads(open);
    const queued = await promote(operator, body);
    expect(queued.status).toBe(202);
    const done = await waitFor(queued.json.id);
    expect(done.state).toBe("succeeded");
    expect(await digestOf(open, "prod/multi:1.0")).toBe(seed.multi.digest);
    expect(uploads(open)).toBe(before);
  });

  it("copies across registries with the digest intact, runs each job once on two workers", async () => {
    const queued = await Promise.all(["a", "b", "c"].map((t) => promote(operator, { source: { registryId: ids.open, repository: "demo/oci", reference: "1.0" }, target: { registryId: ids.basic, repository: "copied/oci", tag: t } })));
    const done = await Promise.all(queued.map((q) => waitFor(q.json.id)));
    expect(done.map((d) => d.state)).toEqual(["succeeded", "succeeded", "succeeded"]);
    for (const t of ["a", "b", "c"]) expect(await digestOf(basic, `copied/oci:${t}`)).toBe(seed.digests["demo/oci:1.0"]);
    // exactly one run each, whichever worker took it: one audit event per promotion
    const audits = await db.auditEvent.findMany({ where: { action: "promote", repository: "copied/oci" } });
    expect(audits.map((a) => (a.details as { promotionId: string }).promotionId).sort()).toEqual(queued.map((q) => q.json.id).sort());
  });

  it("GET ?wait= answers once the promotion has finished: one request instead of polling; a wait over 30 s is refused", async () => {
    const queued = await promote(operator, { source: { registryId: ids.open, repository: "demo/oci", reference: "1.0" }, target: { registryId: ids.basic, repository: "waited/oci", tag: "1.0" } });
    expect(queued.status).toBe(202);
    const done = await call(promotion.GET, { token: admin, params: { id: queued.json.id }, query: { wait: "30" } });
    expect(done.status).toBe(200);
    expect(done.json.state).toBe("succeeded");
    expect(await digestOf(basic, "waited/oci:1.0")).toBe(seed.digests["demo/oci:1.0"]);
    expect((await call(promotion.GET, { token: admin, params: { id: queued.json.id }, query: { wait: "31" } })).status).toBe(422);
    expect((await call(promotion.GET, { token: admin, params: { id: queued.json.id }, query: { wait: "soon" } })).status).toBe(422);
  });

  it("POST ?wait= answers with the finished promotion (200): CI's promotion in one request; a bad wait is refused before anything is asked", async () => {
    const body = { source: { registryId: ids.open, repository: "demo/oci", reference: "1.0" }, target: { registryId: ids.basic, repository: "waited/once", tag: "1.0" } };
    const before = await db.promotion.count();
    for (const wait of ["31", "soon", "-1"]) {
      const refused = await call(promotions.POST, { token: operator, method: "POST", body, query: { wait } });
      expect(refused.status, wait).toBe(422);
    }
    expect(await db.promotion.count()).toBe(before);
    const done = await call(promotions.POST, { token: operator, method: "POST", body, query: { wait: "30" } });
    expect(done.status).toBe(200);
    expect(done.json.state).toBe("succeeded");
    expect(await digestOf(basic, "waited/once:1.0")).toBe(seed.digests["demo/oci:1.0"]);
    // without it, the answer is the queued promotion, as before
    const queued = await promote(operator, { ...body, target: { ...body.target, tag: "1.1" } });
    expect(queued.status).toBe(202);
    expect((await waitFor(queued.json.id)).state).toBe("succeeded");
  });

  it("refuses an operator on a protected tag before any registry call, and lets an admin", async () => {
    const rule = await call(rules.POST, { token: admin, method: "POST", body: { registryId: ids.basic, repositoryGlob: "copied/*", tagGlob: "prod-*", minRole: "ADMIN", reason: "production" } });
    expect(rule.status).toBe(201);
    const before = basic.accessLog().length;
    const body = { source: { registryId: ids.open, repository: "demo/oci", reference: "1.0" }, target: { registryId: ids.basic, repository: "copied/oci", tag: "prod-1" } };
    const refused = await promote(operator, body);
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toContain("production");
    expect(basic.accessLog().length).toBe(before);
    const ok = await promote(admin, body);
    expect((await waitFor(ok.json.id)).state).toBe("succeeded");
  });

  it("a copy cut by the target registry stopping fails with no target tag, and succeeds on retry", async () => {
    const big = await pushBigImage(open, "big/image:1", 64);
    const queued = await promote(operator, { source: { registryId: ids.open, repository: "big/image", reference: "1" }, target: { registryId: ids.basic, repository: "big/image", tag: "1" } });
    for (let i = 0; i < 300; i++) {
      const p = (await call(promotion.GET, { token: admin, params: { id: queued.json.id } })).json;
      if (p.bytesDone > 0 || p.state !== "queued") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await basic.halt();
    const failed = await waitFor(queued.json.id);
    expect(failed.state).toBe("failed");
    expect(failed.error).toBeTruthy();
    await basic.restart();
    await expect(skopeoInspect(basic, "big/image:1")).rejects.toThrow();
    const again = await call(retry.POST, { token: operator, method: "POST", params: { id: queued.json.id } });
    expect(again.status).toBe(202);
    expect((await waitFor(again.json.id)).state).toBe("succeeded");
    expect(await digestOf(basic, "big/image:1")).toBe(big.digest);
  });
});

async function fetchHistory() {
  const req = new Request(`http://127.0.0.1/api/v1/registries/${ids.open}/tag-history?repository=demo/app&tag=release`, { headers: { authorization: `Bearer ${operator}` } });
  const res = await history.GET(req, { params: Promise.resolve({ id: ids.open }) });
  return (await res.json()).changes;
}

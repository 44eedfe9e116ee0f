// Notifications out, end to end through the one audit writer and pg-boss: a loopback receiver
// gets a promotion's event signed with the rule's secret (and Slack's { text, blocks } shape), a
// receiver answering 500 then 200 gets the retry, one that is down ends FAILED in the delivery
// log after the retries, an event outside a rule's glob sends nothing, and hostile destinations
// and globs are refused with nothing stored.
process.env.REGATTA_NOTIFY_RETRY_LIMIT = "2";
process.env.REGATTA_NOTIFY_RETRY_DELAY_SECONDS = "1";
process.env.REGATTA_NOTIFY_TIMEOUT_MS = "3000";

import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as deliveriesRoute from "@/app/api/v1/notification-deliveries/route";
import * as ruleRoute from "@/app/api/v1/notification-rules/[id]/route";
import * as testRoute from "@/app/api/v1/notification-rules/[id]/test/route";
import * as rulesRoute from "@/app/api/v1/notification-rules/route";
import * as promotionsRoute from "@/app/api/v1/promotions/route";
import * as protectionRulesRoute from "@/app/api/v1/protection-rules/route";
import { appendAudit } from "@/lib/audit/log";
import { db } from "@/lib/db";
import { boss, stopBoss } from "@/lib/jobs/boss";
import { checkRegistriesDown, startNotificationWorker } from "@/lib/services/notifications";
import { call, userWithToken } from "../support/api";

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const received: Received[] = [];
/** Per path, the statuses to answer in turn (the last one repeats); 200 when none. */
const script = new Map<string, number[]>();
let server: http.Server;
let base: string;
let admin: string;
let registryId: string;
const run = randomUUID().slice(0, 8);
const repo = `team-${run}/api`;
const D1 = `sha256:${"a".repeat(64)}`;
const D0 = `sha256:${"b".repeat(64)}`;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const statuses = script.get(path) ?? [200];
      const status = statuses.length > 1 ? statuses.shift()! : statuses[0]!;
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "no");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  admin = (await userWithToken("ADMIN")).token;
  registryId = randomUUID();
  await db.registry.create({ data: { id: registryId, name: `notify-${run}`, kind: "GENERIC", endpoint: "http://127.0.0.1:1" } });
  await startNotificationWorker(await boss());
});

afterAll(async () => {
  await db.notificationRule.deleteMany({ where: { registryId } });
  await stopBoss();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  process.env.REGATTA_NOTIFY_ALLOW_PRIVATE = "1";
});

async function createRule(body: Record<string, unknown>) {
  const r = await call(rulesRoute.POST, { token: admin, method: "POST", body: { registryId, repositoryGlob: `team-${run}/*`, events: ["promotion.succeeded"], ...body } });
  expect(r.status, r.text).toBe(201);
  return r.json as { rule: { id: string; urlPreview: string }; secret?: string };
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const promoted = (repository: string, tag = "1.4.2") =>
  appendAudit({
    actorKind: "USER", actor: "alice@example.com", action: "promote", outcome: "success", registryId, repository, tag, digest: D1, previousDigest: D0,
    details: { promotionId: randomUUID(), source: `staging/${repository}:${tag}`, target: `notify-${run}/${repository}:${tag}`, secretish: "never sent" },
  });

describe("notifications out", () => {
  it("posts a promotion's event, signed with the rule's secret, and Slack's { text, blocks }", async () => {
    const hook = await createRule({ name: "ci", kind: "WEBHOOK", url: `${base}/generic/${run}` });
    const slack = await createRule({ name: "slack", kind: "SLACK", url: `${base}/services/T000/B000/${run}secretpath` });
    expect(hook.secret).toMatch(/^rgs_/);
    expect(slack.secret).toBeUndefined();
    // the Slack URL's path is a secret: only a masked preview comes back, in no listing the full URL
    expect(slack.rule.urlPreview).not.toContain("secretpath");
    const list = await call(rulesRoute.GET, { token: admin });
    expect(list.text).not.toContain("secretpath");
    expect(list.text).not.toContain(hook.secret!);

    await promoted(repo);
    const generic = await until("the generic webhook", async () => received.find((r) => r.path === `/generic/${run}`));
    const ts = generic.headers["x-regatta-timestamp"] as string;
    expect(Math.abs(Date.now() / 1000 - Number(ts))).toBeLessThan(120);
    const expected = `sha256=${createHmac("sha256", hook.secret!).update(`${ts}.${generic.body}`).digest("hex")}`;
    expect(generic.headers["x-regatta-signature"]).toBe(expected);
    expect(generic.headers["x-regatta-event"]).toBe("promotion.succeeded");
    const event = JSON.parse(generic.body);
    expect(event).toMatchObject({ type: "promotion.succeeded", actor: "alice@example.com", repository: repo, tag: "1.4.2", digest: D1, previousDigest: D0, registry: { id: registryId, name: `notify-${run}` } });
    expect(event.details.source).toBe(`staging/${repo}:1.4.2`);
    expect(generic.body).not.toContain("never sent"); // only known, non-secret detail keys travel

    const s = await until("the Slack webhook", async () => received.find((r) => r.path === `/services/T000/B000/${run}secretpath`));
    const body = JSON.parse(s.body);
    expect(body.text).toContain(`${repo}:1.4.2`);
    expect(body.blocks[0]).toMatchObject({ type: "section", text: { type: "mrkdwn" } });
    expect(s.headers["x-regatta-signature"]).toBeUndefined();

    const log = await call(deliveriesRoute.GET, { token: admin, headers: {}, params: {} });
    expect(log.status).toBe(200);
    await until("both delivered in the log", async () => {
      const rows = await db.notificationDelivery.findMany({ where: { ruleId: { in: [hook.rule.id, slack.rule.id] } } });
      return rows.length === 2 && rows.every((d) => d.state === "DELIVERED" && d.attempts === 1);
    });
    await db.notificationRule.deleteMany({ where: { id: { in: [hook.rule.id, slack.rule.id] } } });
  });

  it("retries a receiver that answers 500, then delivers", async () => {
    const path = `/flaky/${run}`;
    script.set(path, [500, 200]);
    const rule = await createRule({ name: "flaky", kind: "WEBHOOK", url: `${base}${path}` });
    const started = Date.now();
    await promoted(repo, "2.0.0");
    const d = await until("the retry delivered", async () => {
      const row = await db.notificationDelivery.findFirst({ where: { ruleId: rule.rule.id } });
      return row?.state === "DELIVERED" ? row : undefined;
    });
    expect(received.filter((r) => r.path === path)).toHaveLength(2);
    expect(d.attempts).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000); // the retry waited its backoff
    // both attempts were signed anew and carry the same delivery id
    const ids = received.filter((r) => r.path === path).map((r) => r.headers["x-regatta-delivery"]);
    expect(new Set(ids).size).toBe(1);
    await db.notificationRule.delete({ where: { id: rule.rule.id } });
  });

  it("ends FAILED in the delivery log when the receiver is down, after the retries", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const rule = await createRule({ name: "down", kind: "WEBHOOK", url: `http://127.0.0.1:${port}/hooks/abcdefsecret` });
    await promoted(repo, "3.0.0");
    const d = await until("the delivery failed", async () => {
      const row = await db.notificationDelivery.findFirst({ where: { ruleId: rule.rule.id } });
      return row?.state === "FAILED" ? row : undefined;
    }, 60_000);
    expect(d.attempts).toBe(3); // the first try and REGATTA_NOTIFY_RETRY_LIMIT=2 retries
    expect(d.lastError).toContain("unreachable");
    expect(d.lastError).not.toContain("abcdefsecret");
    const log = await call(deliveriesRoute.GET, { token: admin });
    const row = log.json.deliveries.find((x: { id: string }) => x.id === d.id);
    expect(row).toMatchObject({ state: "FAILED", attempts: 3, ruleName: "down" });
    expect(log.text).not.toContain("abcdefsecret");
    await db.notificationRule.delete({ where: { id: rule.rule.id } });
  });

  it("sends nothing for an event outside the rule's glob or event types", async () => {
    const path = `/quiet/${run}`;
    const rule = await createRule({ name: "quiet", kind: "WEBHOOK", url: `${base}${path}`, repositoryGlob: `team-${run}/web` });
    await promoted(`team-${run}/api`, "4.0.0"); // another repository
    await appendAudit({ actorKind: "USER", actor: "bob@example.com", action: "promote", outcome: "denied", registryId, repository: `team-${run}/web`, tag: "4.0.0", details: { reason: "protected" } }); // another event type
    // a matching one afterwards proves the worker was running all along
    await promoted(`team-${run}/web`, "4.0.1");
    await until("the matching event", async () => received.find((r) => r.path === path));
    await new Promise((r) => setTimeout(r, 1_000));
    const got = received.filter((r) => r.path === path).map((r) => JSON.parse(r.body));
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ repository: `team-${run}/web`, tag: "4.0.1" });
    expect(await db.notificationDelivery.count({ where: { ruleId: rule.rule.id } })).toBe(1);
    await db.notificationRule.delete({ where: { id: rule.rule.id } });
  });

  it("sends a test event on request, and updates and deletes rules", async () => {
    const path = `/test/${run}`;
    const rule = await createRule({ name: "t", kind: "WEBHOOK", url: `${base}${path}` });
    const t = await call(testRoute.POST, { token: admin, method: "POST", params: { id: rule.rule.id } });
    expect(t.status).toBe(202);
    const got = await until("the test event", async () => received.find((r) => r.path === path));
    expect(JSON.parse(got.body).type).toBe("test");
    const rotated = await call(ruleRoute.PATCH, { token: admin, method: "PATCH", params: { id: rule.rule.id }, body: { rotateSecret: true, enabled: false } });
    expect(rotated.status).toBe(200);
    expect(rotated.json.secret).toMatch(/^rgs_/);
    expect(rotated.json.secret).not.toBe(rule.secret);
    expect(rotated.json.rule.enabled).toBe(false);
    expect((await call(ruleRoute.DELETE, { token: admin, method: "DELETE", params: { id: rule.rule.id } })).status).toBe(204);
    expect((await call(ruleRoute.DELETE, { token: admin, method: "DELETE", params: { id: rule.rule.id } })).status).toBe(404);
  });

  it("tells of a promotion refused by a protection rule, through the promotions API and its audit event alone", async () => {
    const path = `/denied/${run}`;
    const rule = await createRule({ name: "denials", kind: "SLACK", url: `${base}${path}`, events: ["promotion.denied"] });
    expect((await call(protectionRulesRoute.POST, { token: admin, method: "POST", body: { registryId, repositoryGlob: `team-${run}/locked`, tagGlob: "*", minRole: "ADMIN" } })).status).toBe(201);
    const operator = (await userWithToken("OPERATOR", `op-${run}@example.com`)).token;
    const r = await call(promotionsRoute.POST, { token: operator, method: "POST", body: {
      source: { registryId, repository: `team-${run}/api`, reference: "1.0" }, target: { registryId, repository: `team-${run}/locked`, tag: "prod" } } });
    expect(r.status).toBe(403);
    const got = await until("the denied promotion", async () => received.find((x) => x.path === path));
    const body = JSON.parse(got.body);
    expect(body.text).toContain(`Promotion denied: notify-${run}/team-${run}/locked:prod`);
    expect(body.text).toContain(`op-${run}@example.com`);
    await db.notificationRule.delete({ where: { id: rule.rule.id } });
  });

  it("tells a registry down for N minutes once per outage, and not before", async () => {
    process.env.REGATTA_NOTIFY_DOWN_MINUTES = "5";
    const path = `/down/${run}`;
    const downId = randomUUID();
    // nothing listens on port 1: no HTTP answer at all
    await db.registry.create({ data: { id: downId, name: `down-${run}`, kind: "GENERIC", endpoint: "http://127.0.0.1:1" } });
    const rule = await createRule({ name: "ops", kind: "WEBHOOK", url: `${base}${path}`, registryId: downId, repositoryGlob: "*", events: ["registry.down"] });
    const t0 = new Date();
    expect(await checkRegistriesDown(t0)).toEqual([]);
    expect(await checkRegistriesDown(new Date(t0.getTime() + 4 * 60_000))).toEqual([]);
    expect(await checkRegistriesDown(new Date(t0.getTime() + 5 * 60_000))).toEqual([downId]);
    expect(await checkRegistriesDown(new Date(t0.getTime() + 6 * 60_000))).toEqual([]); // once per outage
    const got = await until("the registry.down event", async () => received.find((r) => r.path === path));
    const event = JSON.parse(got.body);
    expect(event).toMatchObject({ type: "registry.down", registry: { id: downId, name: `down-${run}` }, details: { minutes: 5 } });
    expect(event.summary).toContain(`down-${run} unreachable for 5 min`);
    expect(await db.auditEvent.count({ where: { action: "registry.down", registryId: downId } })).toBe(1);
    await db.notificationRule.delete({ where: { id: rule.rule.id } });
    await db.registry.delete({ where: { id: downId } });
  });

  it("refuses hostile destinations, bad globs and non-admins, storing nothing", async () => {
    const before = await db.notificationRule.count();
    delete process.env.REGATTA_NOTIFY_ALLOW_PRIVATE;
    for (const url of ["http://127.0.0.1:9/x", "http://169.254.169.254/latest/meta-data", "http://10.0.0.5/hook", "http://localhost/x"]) {
      const r = await call(rulesRoute.POST, { token: admin, method: "POST", body: { name: "x", kind: "WEBHOOK", events: ["promotion.succeeded"], url } });
      expect(r.status, url).toBe(400);
    }
    for (const body of [
      { name: "x", kind: "WEBHOOK", events: ["promotion.succeeded"], url: "ftp://example.com/x" },
      { name: "x", kind: "WEBHOOK", events: ["promotion.succeeded"], url: "https://user:pw@example.com/x" },
      { name: "x", kind: "WEBHOOK", events: ["promotion.succeeded"], url: "https://example.com/x", repositoryGlob: "a{b" },
      { name: "x", kind: "WEBHOOK", events: ["everything"], url: "https://example.com/x" },
      { name: "x", kind: "EMAIL", events: ["promotion.succeeded"], url: "https://example.com/x" },
    ]) {
      expect((await call(rulesRoute.POST, { token: admin, method: "POST", body })).status, JSON.stringify(body)).toBe(422);
    }
    const operator = (await userWithToken("OPERATOR")).token;
    expect((await call(rulesRoute.GET, { token: operator })).status).toBe(403);
    expect((await call(deliveriesRoute.GET, { token: operator })).status).toBe(403);
    expect(await db.notificationRule.count()).toBe(before);
  });
});

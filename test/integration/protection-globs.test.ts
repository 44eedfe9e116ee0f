// Protection rules through the one glob matcher: validated on input (422, nothing stored),
// braces and classes honoured, and a pathological glob against a long name answered at once.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import * as rules from "@/app/api/v1/protection-rules/route";
import * as protection from "@/app/api/v1/protection/route";
import { db } from "@/lib/db";
import { call, userWithToken } from "../support/api";

let admin: string;
let registryId: string;
const run = randomUUID().slice(0, 8);

beforeAll(async () => {
  admin = (await userWithToken("ADMIN")).token;
  registryId = randomUUID();
  await db.registry.create({ data: { id: registryId, name: `globs-${run}`, kind: "GENERIC", endpoint: "http://127.0.0.1:1" } });
});

async function lock(repository: string, tag: string) {
  const q = new URLSearchParams({ registryId, repository, tag });
  const req = new Request(`http://127.0.0.1:3000/api/v1/protection?${q}`, { headers: { authorization: `Bearer ${admin}` } });
  const res = await protection.GET(req, { params: Promise.resolve({}) });
  return { status: res.status, json: await res.json() };
}

describe("protection-rule globs", () => {
  it.each([["v{1,2"], ["rc[0-9"], ["x}"], ["*".repeat(300)]])("refuses tagGlob %s with 422 and stores nothing", async (tagGlob) => {
    const before = await db.protectionRule.count();
    const r = await call(rules.POST, { token: admin, method: "POST", body: { registryId, repositoryGlob: "*", tagGlob, immutable: true } });
    expect(r.status).toBe(422);
    expect(r.json.error.message).toContain("tagGlob");
    expect(await db.protectionRule.count()).toBe(before);
  });

  it("matches braces and classes, and answers a pathological glob against a long name at once", async () => {
    expect((await call(rules.POST, { token: admin, method: "POST", body: { registryId, repositoryGlob: `team-${run}/*`, tagGlob: "release-{1,2}.[0-9]", immutable: true } })).status).toBe(201);
    expect((await call(rules.POST, { token: admin, method: "POST", body: { registryId, repositoryGlob: `team-${run}/*`, tagGlob: "*-*-*-*-*-rc", minRole: "ADMIN" } })).status).toBe(201);
    expect((await lock(`team-${run}/api`, "release-2.7")).json.immutable).toBe(true);
    expect((await lock(`team-${run}/api`, "release-3.7")).json.immutable).toBe(false);
    const long = "a-".repeat(63) + "x"; // 127 characters: the longest tags are the slow ones for a backtracking matcher
    const started = performance.now();
    const r = await lock(`team-${run}/api`, long);
    expect(r.status).toBe(200);
    expect(r.json.minRole).toBe("OPERATOR");
    expect(performance.now() - started).toBeLessThan(2_000);
    // names longer than OCI allows never reach the matcher
    expect((await lock(`team-${run}/api`, "a".repeat(1600))).status).toBe(422);
  });
});

// Identity hardening (issue 12): token scopes, expiry and admin revoke; a password reset or a role
// loss ends the person's tokens and sessions; two concurrent demotions never leave zero admins;
// failed sign-ins back off per (email, address), so nobody locks someone else out.
import { describe, expect, it } from "vitest";
import * as tokens from "@/app/api/v1/tokens/route";
import * as token from "@/app/api/v1/tokens/[id]/route";
import * as users from "@/app/api/v1/users/[id]/route";
import * as me from "@/app/api/v1/me/route";
import { clearLoginFailures, loginRetryAfter, recordLoginFailure } from "@/lib/auth/login-limit";
import { hashToken } from "@/lib/auth/api-tokens";
import { db } from "@/lib/db";
import { call, userWithToken } from "../support/api";

async function makeToken(owner: string, body: unknown) {
  return call(tokens.POST, { token: owner, method: "POST", body });
}

describe("API token scopes and expiry", () => {
  it("a READ token reads but cannot change anything; WRITE can; READ and 90 days are the defaults", async () => {
    const { token: admin } = await userWithToken("ADMIN");
    const made = await makeToken(admin, { name: "ci-read" });
    expect(made.status).toBe(201);
    expect(made.json.scope).toBe("READ");
    const days = (Date.parse(made.json.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);
    const read = made.json.token as string;
    expect((await call(me.GET, { token: read })).status).toBe(200);
    const refused = await makeToken(read, { name: "escalate", scope: "WRITE" });
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toMatch(/read-only/);
    expect(await db.apiToken.count({ where: { name: "escalate" } })).toBe(0);

    const write = await makeToken(admin, { name: "ci-write", scope: "WRITE", expiresInDays: 7 });
    expect(write.json.scope).toBe("WRITE");
    expect(Math.round((Date.parse(write.json.expiresAt) - Date.now()) / 86_400_000)).toBe(7);
    expect((await makeToken(write.json.token, { name: "by-write" })).status).toBe(201);
    expect((await makeToken(admin, { name: "x", scope: "ADMIN" })).status).toBe(422);
    expect((await makeToken(admin, { name: "x", expiresInDays: 0 })).status).toBe(422);
  });

  it("a token past its expiry is refused (401) and its last use is not touched; the user's fields come through", async () => {
    const { user, token: theirs } = await userWithToken("OPERATOR");
    const me1 = await call(me.GET, { token: theirs });
    expect(me1.status).toBe(200);
    expect(me1.json).toMatchObject({ email: user.email, role: "OPERATOR" });
    const hash = hashToken(theirs);
    await db.apiToken.update({ where: { tokenHash: hash }, data: { expiresAt: new Date(Date.now() + 60_000), lastUsedAt: null } });
    expect((await call(me.GET, { token: theirs })).status).toBe(200);
    await db.apiToken.update({ where: { tokenHash: hash }, data: { expiresAt: new Date(Date.now() - 1_000), lastUsedAt: null } });
    const refused = await call(me.GET, { token: theirs });
    expect(refused.status).toBe(401);
    expect(refused.text).not.toContain(theirs);
    expect((await db.apiToken.findUniqueOrThrow({ where: { tokenHash: hash } })).lastUsedAt).toBeNull();
  });

  it("admins list and revoke anyone's tokens; others see and revoke only their own", async () => {
    const { token: admin } = await userWithToken("ADMIN");
    const { user: viewerUser, token: viewer } = await userWithToken("VIEWER");
    const { token: other } = await userWithToken("OPERATOR");
    const all = await tokens.GET(new Request("http://127.0.0.1:3000/api/v1/tokens?all=true", { headers: { authorization: `Bearer ${admin}` } }), { params: Promise.resolve({}) });
    expect(all.status).toBe(200);
    const listed = (await all.json()).tokens as { id: string; owner: { email: string } }[];
    const viewersToken = listed.find((t) => t.owner.email === viewerUser.email);
    expect(viewersToken).toBeDefined();
    const notAdmin = await tokens.GET(new Request("http://127.0.0.1:3000/api/v1/tokens?all=true", { headers: { authorization: `Bearer ${viewer}` } }), { params: Promise.resolve({}) });
    expect(notAdmin.status).toBe(403);
    // an operator cannot revoke the viewer's token: it does not exist for them
    expect((await call(token.DELETE, { token: other, method: "DELETE", params: { id: viewersToken!.id } })).status).toBe(404);
    expect((await call(me.GET, { token: viewer })).status).toBe(200);
    expect((await call(token.DELETE, { token: admin, method: "DELETE", params: { id: viewersToken!.id } })).status).toBe(204);
    expect((await call(me.GET, { token: viewer })).status).toBe(401);
    const ev = await db.auditEvent.findFirstOrThrow({ where: { action: "token.revoke" }, orderBy: { id: "desc" } });
    expect(ev.details).toMatchObject({ owner: viewerUser.email });
  });
});

describe("a password reset or a role loss ends the person's tokens and sessions", () => {
  it("password reset: tokens stop working, the session version moves on", async () => {
    const { token: admin } = await userWithToken("ADMIN");
    const { user, token: theirs } = await userWithToken("OPERATOR");
    expect((await call(me.GET, { token: theirs })).status).toBe(200);
    const res = await call(users.PATCH, { token: admin, method: "PATCH", params: { id: user.id }, body: { password: "a brand new password" } });
    expect(res.status).toBe(200);
    expect((await call(me.GET, { token: theirs })).status).toBe(401);
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).sessionVersion).toBe(user.sessionVersion + 1);
  });

  it("role loss ends them; a promotion or a name change does not", async () => {
    const { token: admin } = await userWithToken("ADMIN");
    const { user, token: theirs } = await userWithToken("OPERATOR");
    await call(users.PATCH, { token: admin, method: "PATCH", params: { id: user.id }, body: { role: "ADMIN", name: "Promoted" } });
    expect((await call(me.GET, { token: theirs })).status).toBe(200);
    await call(users.PATCH, { token: admin, method: "PATCH", params: { id: user.id }, body: { role: "VIEWER" } });
    expect((await call(me.GET, { token: theirs })).status).toBe(401);
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).sessionVersion).toBe(user.sessionVersion + 1);
  });
});

describe("the last admin", () => {
  it("admins demoting each other all at the same time leave one admin, never zero", async () => {
    // only this test's admins: earlier tests' admins step down
    await db.user.updateMany({ where: { role: "ADMIN" }, data: { role: "OPERATOR" } });
    const admins = await Promise.all([1, 2, 3, 4, 5].map(() => userWithToken("ADMIN")));
    const answers = await Promise.all(admins.flatMap((a) => admins.filter((b) => b !== a).map((b) =>
      call(users.PATCH, { token: a.token, method: "PATCH", params: { id: b.user.id }, body: { role: "OPERATOR" } }))));
    // 200 (demoted, or already demoted by someone else), 400 (the last admin) or 401 (the caller's
    // token went with their own demotion); never zero admins
    expect(answers.filter((r) => ![200, 400, 401].includes(r.status)).map((r) => `${r.status} ${r.text}`)).toEqual([]);
    expect(await db.user.count({ where: { role: "ADMIN" } })).toBe(1);
  });

  it("admins removing each other all at the same time leave one admin", async () => {
    await db.user.updateMany({ where: { role: "ADMIN" }, data: { role: "OPERATOR" } });
    const admins = await Promise.all([1, 2, 3, 4, 5].map(() => userWithToken("ADMIN")));
    const answers = await Promise.all(admins.flatMap((a) => admins.filter((b) => b !== a).map((b) =>
      call(users.DELETE, { token: a.token, method: "DELETE", params: { id: b.user.id } }))));
    expect(answers.filter((r) => r.status === 204).length).toBe(4);
    expect(await db.user.count({ where: { role: "ADMIN" } })).toBe(1);
  });
});

describe("sign-in back-off", () => {
  it("five failures from five addresses do not lock the email out elsewhere; five from one address lock only that address", async () => {
    const email = `victim-${Date.now()}@example.com`;
    for (let i = 1; i <= 5; i++) await recordLoginFailure(email, `198.51.100.${i}`);
    expect(await loginRetryAfter(email, "203.0.113.10")).toBe(0);
    for (let i = 0; i < 5; i++) await recordLoginFailure(email, "198.51.100.66");
    expect(await loginRetryAfter(email, "198.51.100.66")).toBeGreaterThan(0);
    expect(await loginRetryAfter(email, "203.0.113.10")).toBe(0);
    await clearLoginFailures(email, "198.51.100.66");
    expect(await loginRetryAfter(email, "198.51.100.66")).toBe(0);
  });

  it("an address that fails 30 times over many emails waits", async () => {
    const ip = "192.0.2.77";
    for (let i = 0; i < 30; i++) await recordLoginFailure(`spray-${i}-${Date.now()}@example.com`, ip);
    expect(await loginRetryAfter("someone-else@example.com", ip)).toBeGreaterThan(0);
  });
});

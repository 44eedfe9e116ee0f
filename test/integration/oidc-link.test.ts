// OIDC sign-ins link by the provider's subject, never by a claimed email (issue 12, item 2).
import { afterEach, describe, expect, it } from "vitest";
import { linkOidcUser } from "@/lib/auth/oidc-link";
import { db } from "@/lib/db";
import { userWithToken } from "../support/api";

const issuer = "http://127.0.0.1:9/oidc";
const sub = () => `sub-${Math.random().toString(36).slice(2)}`;

afterEach(() => {
  delete process.env.REGATTA_OIDC_LINK_VERIFIED_EMAIL;
  delete process.env.REGATTA_OIDC_DEFAULT_ROLE;
});

describe("linkOidcUser", () => {
  it("an unverified email that names an existing admin is refused; the admin is untouched", async () => {
    const { user: admin } = await userWithToken("ADMIN");
    process.env.REGATTA_OIDC_LINK_VERIFIED_EMAIL = "true";
    const r = await linkOidcUser({ issuer, subject: sub(), email: admin.email.toUpperCase(), emailVerified: false });
    expect(r).toEqual({ ok: false, error: "OIDCAccountExists" });
    const s = await linkOidcUser({ issuer, subject: sub(), email: admin.email, emailVerified: "true" });
    expect(s.ok).toBe(false);
    expect((await db.user.findUniqueOrThrow({ where: { id: admin.id } })).externalId).toBeNull();
    const denied = await db.auditEvent.findFirstOrThrow({ where: { action: "auth.sign_in", actor: admin.email, outcome: "denied" }, orderBy: { id: "desc" } });
    expect(denied.details).toMatchObject({ method: "oidc", reason: "email not verified by the identity provider" });
  });

  it("a verified email links to the local account only when an admin enabled it, and only once", async () => {
    const { user } = await userWithToken("OPERATOR");
    const first = sub();
    expect(await linkOidcUser({ issuer, subject: first, email: user.email, emailVerified: true })).toEqual({ ok: false, error: "OIDCAccountExists" });
    process.env.REGATTA_OIDC_LINK_VERIFIED_EMAIL = "true";
    const linked = await linkOidcUser({ issuer, subject: first, email: user.email, emailVerified: true });
    expect(linked).toMatchObject({ ok: true, userId: user.id, outcome: "linked" });
    // another subject with the same verified email does not take the account over
    expect(await linkOidcUser({ issuer, subject: sub(), email: user.email, emailVerified: true })).toEqual({ ok: false, error: "OIDCAccountExists" });
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).externalId).toBe(`${issuer}|${first}`);
  });

  it("a known subject stays its user even when the IdP now says another person's email; the link is never rewritten", async () => {
    const { user: admin } = await userWithToken("ADMIN");
    process.env.REGATTA_OIDC_DEFAULT_ROLE = "operator";
    const s = sub();
    const made = await linkOidcUser({ issuer, subject: s, email: `new-${s}@example.com`, emailVerified: false, name: "New Person" });
    expect(made).toMatchObject({ ok: true, outcome: "created" });
    const row = await db.user.findUniqueOrThrow({ where: { externalId: `${issuer}|${s}` } });
    expect(row).toMatchObject({ role: "OPERATOR", name: "New Person", email: `new-${s}@example.com` });
    const again = await linkOidcUser({ issuer, subject: s, email: admin.email, emailVerified: true });
    expect(again).toMatchObject({ ok: true, userId: row.id, outcome: "known" });
    expect((await db.user.findUniqueOrThrow({ where: { id: row.id } })).email).toBe(`new-${s}@example.com`);
    expect((await db.user.findUniqueOrThrow({ where: { id: admin.id } })).externalId).toBeNull();
  });

  it("no email, no subject: refused", async () => {
    expect(await linkOidcUser({ issuer, subject: sub(), email: "", emailVerified: true })).toEqual({ ok: false, error: "OIDCNoEmail" });
    expect(await linkOidcUser({ issuer, subject: "", email: "a@b.c", emailVerified: true })).toEqual({ ok: false, error: "OIDCNoSubject" });
  });
});

import "server-only";
// Who an OIDC sign-in is. An identity provider's account is its subject ("<issuer>|<sub>"), never
// its email: an IdP that lets people type any email must not make them someone else.
// - a known subject is that user (the link is never rewritten; the email there is not updated);
// - an unknown subject whose email belongs to an existing local account is linked to it only when
//   the IdP says `email_verified: true` AND an admin enabled REGATTA_OIDC_LINK_VERIFIED_EMAIL, and
//   the account has no other OIDC link; otherwise the sign-in is refused;
// - otherwise a new user is made with REGATTA_OIDC_DEFAULT_ROLE (VIEWER unless set).
import { appendAudit } from "@/lib/audit/log";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { GLOBAL_ROLES, type GlobalRole } from "@/lib/schemas/roles";

/** REGATTA_OIDC_DEFAULT_ROLE: VIEWER unless set; NONE leaves new people's rights to their teams (groups claim). */
export function oidcDefaultRole(): GlobalRole {
  const r = process.env.REGATTA_OIDC_DEFAULT_ROLE?.toUpperCase();
  return (GLOBAL_ROLES as readonly string[]).includes(r ?? "") ? (r as GlobalRole) : "VIEWER";
}

/** The claim that lists a person's groups: REGATTA_OIDC_GROUPS_CLAIM, `groups` unless set. */
export function oidcGroupsClaim(): string {
  return process.env.REGATTA_OIDC_GROUPS_CLAIM?.trim() || "groups";
}

/** The group names of a profile's groups claim (a list of strings, or one string), bounded. */
export function groupsFromClaims(profile: Record<string, unknown> | null | undefined, claim = oidcGroupsClaim()): string[] {
  const v = profile?.[claim];
  const list = Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
  return [...new Set(list.filter((g): g is string => typeof g === "string" && g.length > 0 && g.length <= 256))].slice(0, 500);
}

/** Whether an admin allowed linking a first OIDC sign-in to an existing account by a verified email. */
export function linkByVerifiedEmail(): boolean {
  return /^(1|true|yes)$/i.test(process.env.REGATTA_OIDC_LINK_VERIFIED_EMAIL ?? "");
}

export interface OidcIdentity {
  issuer: string;
  subject: string;
  email: string | null | undefined;
  /** the `email_verified` claim as the IdP sent it (only `true` counts) */
  emailVerified: unknown;
  name?: string | null;
  /** the groups claim's names (groupsFromClaims); undefined: the IdP sent none, and teams are synced to none */
  groups?: string[];
}

export type OidcLinkResult =
  | { ok: true; userId: string; email: string; outcome: "known" | "linked" | "created" }
  | { ok: false; error: "OIDCNoEmail" | "OIDCAccountExists" | "OIDCNoSubject" };

export async function linkOidcUser(who: OidcIdentity, sourceAddress: string | null = null): Promise<OidcLinkResult> {
  if (!who.subject || who.subject.length > 255) return { ok: false, error: "OIDCNoSubject" };
  const externalId = `${who.issuer}|${who.subject}`;
  const email = (who.email ?? "").trim().toLowerCase();
  const audit = (outcome: "success" | "denied", details: Record<string, unknown>) =>
    appendAudit({ actorKind: "USER", actor: email || externalId, action: "auth.sign_in", outcome, sourceAddress, details: { method: "oidc", ...details } });

  const known = await db.user.findUnique({ where: { externalId } });
  if (known) {
    await db.user.update({ where: { id: known.id }, data: { lastLoginAt: new Date() } });
    await audit("success", { created: false });
    await syncOidcTeams(known.id, known.email, who.groups ?? [], sourceAddress);
    return { ok: true, userId: known.id, email: known.email, outcome: "known" };
  }
  if (!email || email.length > 254) return { ok: false, error: "OIDCNoEmail" };
  const local = await db.user.findUnique({ where: { email } });
  if (local) {
    const verified = who.emailVerified === true;
    if (!local.externalId && verified && linkByVerifiedEmail()) {
      // only if still unlinked: two first sign-ins at once cannot both take it
      const linked = await db.user.updateMany({ where: { id: local.id, externalId: null }, data: { externalId, lastLoginAt: new Date() } });
      if (linked.count === 1) {
        await audit("success", { created: false, linked: true });
        await syncOidcTeams(local.id, local.email, who.groups ?? [], sourceAddress);
        return { ok: true, userId: local.id, email: local.email, outcome: "linked" };
      }
    }
    await audit("denied", { reason: local.externalId ? "email belongs to another OIDC account" : verified ? "linking by email is not enabled" : "email not verified by the identity provider" });
    return { ok: false, error: "OIDCAccountExists" };
  }
  try {
    const row = await db.user.create({ data: { email, name: who.name?.slice(0, 100) ?? null, externalId, role: oidcDefaultRole(), lastLoginAt: new Date() } });
    await audit("success", { created: true, role: row.role });
    await syncOidcTeams(row.id, row.email, who.groups ?? [], sourceAddress);
    return { ok: true, userId: row.id, email: row.email, outcome: "created" };
  } catch (err) {
    // the same email or subject made a moment ago by another sign-in
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") return { ok: false, error: "OIDCAccountExists" };
    throw err;
  }
}

/**
 * OIDC groups → teams, at each sign-in: the person joins every team whose `oidcGroup` the claim
 * names, and leaves the teams they had joined that way whose group it no longer names. Members an
 * admin added by hand stay. One audit event when anything changed.
 */
export async function syncOidcTeams(userId: string, email: string, groups: string[], sourceAddress: string | null = null): Promise<{ joined: string[]; left: string[] }> {
  const wanted = groups.length ? await db.team.findMany({ where: { oidcGroup: { in: groups } }, select: { id: true, name: true } }) : [];
  const current = await db.teamMember.findMany({ where: { userId }, include: { team: { select: { name: true, oidcGroup: true } } } });
  const have = new Set(current.map((m) => m.teamId));
  const want = new Set(wanted.map((t) => t.id));
  const join = wanted.filter((t) => !have.has(t.id));
  const leave = current.filter((m) => m.fromOidc && !want.has(m.teamId));
  if (join.length) await db.teamMember.createMany({ data: join.map((t) => ({ teamId: t.id, userId, fromOidc: true })), skipDuplicates: true });
  if (leave.length) await db.teamMember.deleteMany({ where: { userId, teamId: { in: leave.map((m) => m.teamId) }, fromOidc: true } });
  const result = { joined: join.map((t) => t.name), left: leave.map((m) => m.team.name) };
  if (join.length || leave.length) {
    await appendAudit({ actorKind: "SYSTEM", actor: "oidc", action: "team.member.sync", outcome: "success", sourceAddress, details: { user: email, ...result } });
  }
  return result;
}

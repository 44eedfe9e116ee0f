import "server-only";
// Auth.js: email + password for everyone, and one generic OIDC provider (GitHub, GitLab, Google,
// Keycloak …) when REGATTA_OIDC_ISSUER, REGATTA_OIDC_CLIENT_ID and REGATTA_OIDC_CLIENT_SECRET are set.
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { appendAudit } from "@/lib/audit/log";
import { db } from "@/lib/db";
import { metrics } from "@/lib/observability/metrics";
import { clientAddress } from "./actor";
import { clearLoginFailures, loginRetryAfter, recordLoginFailure } from "./login-limit";
import { verifyPassword } from "./password";
import { ROLES, type Role } from "./roles";

class RateLimited extends CredentialsSignin {
  code = "rate_limited";
}

const loginSchema = z.object({ email: z.string().trim().toLowerCase().email().max(254), password: z.string().min(1).max(1024) });

export function oidcConfig() {
  const issuer = process.env.REGATTA_OIDC_ISSUER;
  const clientId = process.env.REGATTA_OIDC_CLIENT_ID;
  const clientSecret = process.env.REGATTA_OIDC_CLIENT_SECRET;
  if (!issuer || !clientId || !clientSecret) return null;
  return { issuer, clientId, clientSecret, name: process.env.REGATTA_OIDC_NAME || "Single sign-on" };
}

function oidcDefaultRole(): Role {
  const r = process.env.REGATTA_OIDC_DEFAULT_ROLE?.toUpperCase();
  return (ROLES as readonly string[]).includes(r ?? "") ? (r as Role) : "VIEWER";
}

const providers: NextAuthConfig["providers"] = [
  Credentials({
    credentials: { email: {}, password: {} },
    async authorize(raw, request) {
      const parsed = loginSchema.safeParse(raw);
      if (!parsed.success) return null;
      const { email, password } = parsed.data;
      const ip = clientAddress(request.headers);
      const wait = await loginRetryAfter(email, ip);
      if (wait > 0) {
        await appendAudit({ actorKind: "USER", actor: email, action: "auth.sign_in", outcome: "denied", sourceAddress: ip, details: { reason: "rate limited" } });
        metrics.signInFailures.inc({ reason: "rate_limited" });
        const e = new RateLimited();
        e.code = `rate_limited:${wait}`;
        throw e;
      }
      const user = await db.user.findUnique({ where: { email }, omit: { passwordHash: false } });
      const ok = await verifyPassword(user?.passwordHash, password);
      if (!user || !ok) {
        metrics.signInFailures.inc({ reason: "password" });
        await recordLoginFailure(email, ip);
        await appendAudit({ actorKind: "USER", actor: email, action: "auth.sign_in", outcome: "failure", sourceAddress: ip, details: { method: "password" } });
        return null;
      }
      await clearLoginFailures(email);
      await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
      await appendAudit({ actorKind: "USER", actor: email, action: "auth.sign_in", outcome: "success", sourceAddress: ip, details: { method: "password" } });
      return { id: user.id, email: user.email, name: user.name };
    },
  }),
];

const oidc = oidcConfig();
if (oidc) {
  providers.push({
    id: "oidc",
    name: oidc.name,
    type: "oidc",
    issuer: oidc.issuer,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
  });
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  pages: { signIn: "/login" },
  providers,
  callbacks: {
    async signIn({ user, account, profile }) {
      if (account?.provider !== "oidc") return true;
      const email = (profile?.email ?? user.email ?? "").toLowerCase();
      const externalId = `${oidc!.issuer}|${account.providerAccountId}`;
      if (!email) return "/login?error=OIDCNoEmail";
      const existing = (await db.user.findUnique({ where: { externalId } })) ?? (await db.user.findUnique({ where: { email } }));
      const row = existing
        ? await db.user.update({ where: { id: existing.id }, data: { externalId, lastLoginAt: new Date() } })
        : await db.user.create({ data: { email, name: profile?.name ?? null, externalId, role: oidcDefaultRole(), lastLoginAt: new Date() } });
      user.id = row.id;
      await appendAudit({ actorKind: "USER", actor: email, action: "auth.sign_in", outcome: "success", details: { method: "oidc", created: !existing } });
      return true;
    },
    async jwt({ token, user }) {
      if (user?.id) token.sub = user.id;
      return token;
    },
    async session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
});

import "server-only";
// Auth.js: email + password for everyone, and one generic OIDC provider (GitHub, GitLab, Google,
// Keycloak …) when REGATTA_OIDC_ISSUER, REGATTA_OIDC_CLIENT_ID and REGATTA_OIDC_CLIENT_SECRET are set.
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { headers } from "next/headers";
import { appendAudit } from "@/lib/audit/log";
import { db } from "@/lib/db";
import { metrics } from "@/lib/observability/metrics";
import { loginSchema } from "@/lib/schemas/user";
import { clientAddress } from "./actor";
import { clearLoginFailures, loginRetryAfter, recordLoginFailure } from "./login-limit";
import { verifyPassword } from "./password";
import { groupsFromClaims, linkOidcUser } from "./oidc-link";

class RateLimited extends CredentialsSignin {
  code = "rate_limited";
}

export function oidcConfig() {
  const issuer = process.env.REGATTA_OIDC_ISSUER;
  const clientId = process.env.REGATTA_OIDC_CLIENT_ID;
  const clientSecret = process.env.REGATTA_OIDC_CLIENT_SECRET;
  if (!issuer || !clientId || !clientSecret) return null;
  return { issuer, clientId, clientSecret, name: process.env.REGATTA_OIDC_NAME || "Single sign-on" };
}

/** The caller's address inside an Auth.js callback (which is given no request). */
async function requestAddress(): Promise<string | null> {
  try {
    return clientAddress(await headers());
  } catch {
    return null;
  }
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
      await clearLoginFailures(email, ip);
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

declare module "next-auth" {
  interface Session {
    /** User.sessionVersion when this session was signed */
    sessionVersion?: number;
  }
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  pages: { signIn: "/login" },
  providers,
  callbacks: {
    async signIn({ user, account, profile }) {
      if (account?.provider !== "oidc") return true;
      const linked = await linkOidcUser({
        issuer: oidc!.issuer, subject: account.providerAccountId, email: profile?.email ?? null,
        emailVerified: profile?.email_verified, name: profile?.name ?? null, groups: groupsFromClaims(profile as Record<string, unknown> | undefined),
      }, await requestAddress());
      if (!linked.ok) return `/login?error=${linked.error}`;
      user.id = linked.userId;
      return true;
    },
    async jwt({ token, user }) {
      if (user?.id) {
        token.sub = user.id;
        // the user's session version at sign-in; guard.ts refuses the session once it moves on
        token.sv = (await db.user.findUnique({ where: { id: user.id }, select: { sessionVersion: true } }))?.sessionVersion ?? 0;
      }
      return token;
    },
    async session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      session.sessionVersion = typeof token.sv === "number" ? token.sv : 0;
      return session;
    },
  },
});

import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthError } from "next-auth";
import { oidcConfig, signIn } from "@/lib/auth/auth";
import { currentActor } from "@/lib/auth/guard";
import { LoginForm, type LoginState } from "@/components/login-form";
import { Logo } from "@/components/logo";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

async function passwordSignIn(_prev: LoginState, form: FormData): Promise<LoginState> {
  "use server";
  const email = String(form.get("email") ?? "");
  try {
    await signIn("credentials", { email, password: String(form.get("password") ?? ""), redirectTo: "/" });
  } catch (err) {
    // the redirect after success is thrown too: let it through
    if (!(err instanceof AuthError)) throw err;
    const code = (err as AuthError & { code?: string }).code ?? "";
    if (code.startsWith("rate_limited")) {
      const wait = Number(code.split(":")[1]) || 900;
      return { email, error: `Too many failed attempts. Try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? "s" : ""}.` };
    }
    return { email, error: "Invalid email or password." };
  }
  return { email };
}

async function ssoSignIn() {
  "use server";
  await signIn("oidc", { redirectTo: "/" });
}

// what a refused single sign-on says (lib/auth/oidc-link.ts); any other code: a general message
const SSO_ERRORS: Record<string, string> = {
  OIDCAccountExists: "An account with this email already exists and is not linked to your single sign-on. Sign in with your password, or ask an admin.",
  OIDCNoEmail: "Your identity provider did not send an email address.",
  OIDCNoSubject: "Your identity provider did not say who you are.",
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await currentActor()) redirect("/");
  const oidc = oidcConfig();
  const code = (await searchParams).error;
  const ssoError = typeof code === "string" && code ? (SSO_ERRORS[code] ?? "Signing in did not work. Try again, or ask an admin.") : null;
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <h1 className="flex items-center justify-center gap-2 text-2xl font-semibold tracking-tight"><Logo className="h-7 w-7" /> Regatta</h1>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">Every container registry, one dashboard.</p>
        </div>
        <div className="card p-6">
          {ssoError && <p role="alert" data-testid="sso-error" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{ssoError}</p>}
          <LoginForm action={passwordSignIn} />
          {oidc && (
            <form action={ssoSignIn} className="mt-4 border-t border-slate-200 pt-4">
              <button className="btn-secondary w-full" type="submit">
                Sign in with {oidc.name}
              </button>
            </form>
          )}
        </div>
      </div>
    </main>
  );
}

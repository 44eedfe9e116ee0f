import Link from "next/link";
import { signOut } from "@/lib/auth/auth";
import { requireRole } from "@/lib/auth/guard";
import { hasRole } from "@/lib/schemas/roles";
import { Logo } from "@/components/logo";
import { GlobalSearch } from "@/components/global-search";
import { NavLinks } from "@/components/nav-links";
import { ThemeToggle } from "@/components/theme-toggle";
import { currentTheme } from "@/lib/theme";

export const dynamic = "force-dynamic";

async function signOutAction() {
  "use server";
  await signOut({ redirectTo: "/login" });
}

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const actor = await requireRole("VIEWER");
  const admin = hasRole(actor.role, "ADMIN");
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex h-12 max-w-7xl items-center gap-3 px-4 lg:gap-6">
          <Link href="/" className="flex items-center gap-1.5 font-semibold tracking-tight"><Logo /> <span className="hidden sm:inline">Regatta</span><span className="sr-only sm:hidden">Regatta</span></Link>
          <NavLinks items={[
            { href: "/", label: "Overview" },
            { href: "/promotions", label: "Promotions" },
            { href: "/pipeline", label: "Pipeline" },
            ...(admin ? [{ href: "/audit", label: "Audit" }, { href: "/settings/registries", label: "Registries" }, { href: "/settings/retention", label: "Retention" }, { href: "/settings/notifications", label: "Notifications" }, { href: "/settings/users", label: "Users" }, { href: "/settings/teams", label: "Teams" }] : []),
            { href: "/settings/tokens", label: "API tokens" },
            { href: "/settings/access", label: "My access" },
          ]} />
          <div className="ml-auto flex items-center gap-3 text-sm">
            <GlobalSearch />
            <ThemeToggle initial={await currentTheme()} />
            <span className="hidden max-w-[14rem] truncate whitespace-nowrap text-slate-600 2xl:inline dark:text-slate-300" data-testid="whoami" title={`${actor.email} (${actor.role.toLowerCase()})`}>
              {actor.email} <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-600">{actor.role.toLowerCase()}</span>
            </span>
            <form action={signOutAction}>
              <button className="btn-secondary whitespace-nowrap py-1" type="submit" title={`Signed in as ${actor.email} (${actor.role.toLowerCase()})`}>Sign out</button>
            </form>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
    </div>
  );
}

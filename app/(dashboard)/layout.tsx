import Link from "next/link";
import { signOut } from "@/lib/auth/auth";
import { requireRole } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { Logo } from "@/components/logo";
import { GlobalSearch } from "@/components/global-search";

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
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex h-12 max-w-7xl items-center gap-6 px-4">
          <Link href="/" className="flex items-center gap-1.5 font-semibold tracking-tight"><Logo /> Regatta</Link>
          <nav className="flex gap-4 text-sm text-slate-600">
            <Link className="hover:text-slate-900" href="/">Overview</Link>
            <Link className="hover:text-slate-900" href="/promotions">Promotions</Link>
            {admin && <Link className="hover:text-slate-900" href="/audit">Audit</Link>}
            {admin && <Link className="hover:text-slate-900" href="/settings/registries">Registries</Link>}
            {admin && <Link className="hover:text-slate-900" href="/settings/pipeline">Pipeline</Link>}
            {admin && <Link className="hover:text-slate-900" href="/settings/retention">Retention</Link>}
            {admin && <Link className="hover:text-slate-900" href="/settings/notifications">Notifications</Link>}
            {admin && <Link className="hover:text-slate-900" href="/settings/users">Users</Link>}
            <Link className="hover:text-slate-900" href="/settings/tokens">API tokens</Link>
          </nav>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <GlobalSearch />
            <span className="text-slate-600" data-testid="whoami">
              {actor.email} <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-600">{actor.role.toLowerCase()}</span>
            </span>
            <form action={signOutAction}>
              <button className="btn-secondary py-1" type="submit">Sign out</button>
            </form>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
    </div>
  );
}

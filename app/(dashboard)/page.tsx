import Link from "next/link";
import { requireRole } from "@/lib/auth/guard";
import { visibilityOf, visibleRegistryIds, visibleSql } from "@/lib/auth/access";
import { Prisma } from "@/lib/generated/prisma/client";
import { hasRole } from "@/lib/schemas/roles";
import { RecentActivity } from "@/components/recent-activity";
import { RegistryHealthLine } from "@/components/registry-health";
import { KINDS } from "@/lib/schemas/registry";
import { ActivitySparkline } from "@/components/activity-sparkline";
import { OverviewSummary } from "@/components/overview-summary";
import { dailyActivityByRegistry, recentActivity } from "@/lib/services/audit";
import { promotionCounts } from "@/lib/services/promotions";
import { listRegistries } from "@/lib/services/registries";

export const metadata = { title: "Overview" };

const hostOf = (endpoint: string) => { try { return new URL(endpoint).host; } catch { return undefined; } };

export default async function Overview() {
  const actor = await requireRole("VIEWER");
  const [registries, activity, daily, promotions] = await Promise.all([visibleRegistryIds(actor).then(listRegistries), recentActivity(100, visibilityOf(actor)), visibleSql(actor, Prisma.sql`"registryId"`, Prisma.sql`"repository"`).then((scope) => dailyActivityByRegistry(14, new Date(), scope)), visibleRegistryIds(actor).then(promotionCounts)]);
  const today = daily.all.at(-1);
  const names = new Map(registries.map((r) => [r.id, r.name]));
  const admin = hasRole(actor.role, "ADMIN");
  if (!registries.length) {
    return (
      <div className="card mx-auto mt-10 max-w-2xl p-8" data-testid="first-run">
        <h1 className="text-xl font-semibold">Welcome to Regatta</h1>
        <p className="mt-2 text-slate-600">
          Regatta shows the repositories, tags and manifests of all your container registries in one place, and promotes versions between them safely.
        </p>
        <ol className="mt-6 space-y-3 text-sm">
          <li className="flex gap-3"><span className="flex h-6 w-6 shrink-0 items-center justify-center rounded-full bg-sky-700 text-xs font-semibold text-white">1</span>
            <span><strong>Add a registry</strong>: Docker Hub, GHCR, GitLab, Google, ECR, Quay, Harbor or your own registry:2. Credentials are encrypted and never leave the server.</span></li>
          <li className="flex gap-3"><span className="flex h-6 w-6 shrink-0 items-center justify-center rounded-full bg-slate-300 text-xs font-semibold text-white">2</span>
            <span><strong>Invite your team</strong> as viewers, operators (who may promote) or admins.</span></li>
          <li className="flex gap-3"><span className="flex h-6 w-6 shrink-0 items-center justify-center rounded-full bg-slate-300 text-xs font-semibold text-white">3</span>
            <span><strong>Create an API token</strong> so CI can promote with the same rules.</span></li>
        </ol>
        {admin ? (
          <Link href="/settings/registries?add=1" className="btn-primary mt-6">Add your first registry</Link>
        ) : (
          <p className="mt-6 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">No registry is connected yet. Ask an admin to add one.</p>
        )}
      </div>
    );
  }
  return (
    <div>
      <div className="mb-4 flex items-center justify-between">
        <h1 className="text-lg font-semibold">Overview</h1>
        {admin && <Link href="/settings/registries?add=1" className="btn-secondary">Add registry</Link>}
      </div>
      <OverviewSummary registryIds={registries.map((r) => r.id)} pushesToday={today?.pushes ?? 0} promotionsToday={promotions.today} promotionsRunning={promotions.running} />
      <h2 className="sr-only">Registries</h2>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {registries.map((r) => (
          <Link key={r.id} href={`/registries/${r.id}`} className="card block p-4 hover:border-sky-300" data-testid="registry-card">
            <div className="flex items-baseline justify-between gap-2">
              <h3 className="truncate font-medium" title={r.name}>{r.name}</h3>
              <span className="shrink-0 text-xs text-slate-500">{KINDS[r.kind].label}</span>
            </div>
            <p className="mt-1 truncate font-mono text-xs text-slate-500" title={`${r.endpoint}${r.namespace ? ` · ${r.namespace}` : ""}`}>{r.endpoint}{r.namespace ? ` · ${r.namespace}` : ""}</p>
            <RegistryHealthLine registryId={r.id} host={hostOf(r.endpoint)} />
            <ActivitySparkline days={daily.byRegistry.get(r.id) ?? daily.all.map((d) => ({ ...d, pushes: 0, promotions: 0 }))} label={r.name} />
          </Link>
        ))}
      </div>
      <RecentActivity items={activity.map((e) => ({ ...e, registryName: (e.registryId && names.get(e.registryId)) || undefined }))} />
    </div>
  );
}

import { requireRole, requireSeePage, roleAt } from "@/lib/auth/guard";
import { hasRole } from "@/lib/schemas/roles";
import { getRegistry } from "@/lib/services/registries";
import { Breadcrumbs } from "@/components/breadcrumbs";
import { RepositoryList } from "@/components/repository-list";
import { RegistrySync } from "@/components/registry-sync";

export const metadata = { title: "Repositories" };

export default async function RegistryPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireRole("VIEWER");
  const { id } = await params;
  await requireSeePage(actor, id);
  const r = await getRegistry(id);
  return (
    <div>
      <Breadcrumbs items={[{ label: "Registries", href: "/" }, { label: r.name }]} />
      <div className="mb-4 flex flex-wrap items-center justify-between gap-2">
        <div className="min-w-0">
          <h1 className="break-all text-lg font-semibold">{r.name}</h1>
          <p className="break-all font-mono text-xs text-slate-600">{r.endpoint}</p>
        </div>
        <RegistrySync registryId={r.id} canSync={hasRole(await roleAt(actor, r.id), "OPERATOR")} />
      </div>
      <RepositoryList registryId={r.id} />
    </div>
  );
}

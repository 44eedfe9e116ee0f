import { requireRole } from "@/lib/auth/guard";
import { getRegistry } from "@/lib/services/registries";
import { Breadcrumbs } from "@/components/breadcrumbs";
import { RepositoryList } from "@/components/repository-list";

export const metadata = { title: "Repositories" };

export default async function RegistryPage({ params }: { params: Promise<{ id: string }> }) {
  await requireRole("VIEWER");
  const r = await getRegistry((await params).id);
  return (
    <div>
      <Breadcrumbs items={[{ label: "Registries", href: "/" }, { label: r.name }]} />
      <p className="mb-4 font-mono text-xs text-slate-500">{r.endpoint}</p>
      <RepositoryList registryId={r.id} />
    </div>
  );
}

import { visibleRegistryIds } from "@/lib/auth/access";
import { requireRole } from "@/lib/auth/guard";
import { listRegistries } from "@/lib/services/registries";
import { Breadcrumbs } from "@/components/breadcrumbs";
import { CompareView } from "@/components/compare-view";

export const metadata = { title: "Compare" };

export default async function ComparePage({ searchParams }: { searchParams: Promise<{ from?: string; to?: string }> }) {
  const actor = await requireRole("VIEWER");
  const { from = "", to = "" } = await searchParams;
  const registries = (await listRegistries(await visibleRegistryIds(actor))).map((r) => ({ id: r.id, name: r.name }));
  return (
    <div>
      <Breadcrumbs items={[{ label: "Registries", href: "/" }, { label: "Compare" }]} />
      <CompareView from={from} to={to} registries={registries} />
    </div>
  );
}

import { requireRole } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { getRegistry } from "@/lib/services/registries";
import { Breadcrumbs } from "@/components/breadcrumbs";
import { CopyButton } from "@/components/copy-button";
import { pullHost } from "@/components/format";
import { TagTable } from "@/components/tag-table";

export const metadata = { title: "Tags" };

export default async function TagsPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ repository?: string }> }) {
  const actor = await requireRole("VIEWER");
  const r = await getRegistry((await params).id);
  const repository = (await searchParams).repository ?? "";
  const pullBase = `${pullHost(r.endpoint)}/${repository}`;
  return (
    <div>
      <Breadcrumbs items={[{ label: "Registries", href: "/" }, { label: r.name, href: `/registries/${r.id}` }, { label: repository }]} />
      <p className="mb-4 flex items-center gap-2 font-mono text-xs text-slate-600">docker pull {pullBase}:&lt;tag&gt; <CopyButton text={`docker pull ${pullBase}`} /></p>
      <TagTable registryId={r.id} repository={repository} pullBase={pullBase} canPromote={hasRole(actor.role, "OPERATOR")} />
    </div>
  );
}

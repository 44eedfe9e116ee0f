import { requireRole, requireSeePage, roleAt } from "@/lib/auth/guard";
import { hasRole } from "@/lib/schemas/roles";
import { getRegistry } from "@/lib/services/registries";
import { Breadcrumbs } from "@/components/breadcrumbs";
import { pullHost } from "@/components/format";
import { ManifestView } from "@/components/manifest-view";

export const metadata = { title: "Manifest" };

export default async function ManifestPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ repository?: string; reference?: string }> }) {
  const actor = await requireRole("VIEWER");
  const { id } = await params;
  const { repository = "", reference = "" } = await searchParams;
  await requireSeePage(actor, id, repository);
  const r = await getRegistry(id);
  return (
    <div>
      <Breadcrumbs
        items={[
          { label: "Registries", href: "/" },
          { label: r.name, href: `/registries/${r.id}` },
          { label: repository, href: `/registries/${r.id}/tags?repository=${encodeURIComponent(repository)}` },
          { label: reference.startsWith("sha256:") ? reference.slice(0, 19) : reference },
        ]}
      />
      <h1 className="mb-3 break-all font-mono text-base font-semibold">{repository}{reference.startsWith("sha256:") ? "@" : ":"}{reference}</h1>
      <ManifestView registryId={r.id} repository={repository} reference={reference} pullBase={`${pullHost(r.endpoint)}/${repository}`} canPromote={hasRole(await roleAt(actor, r.id, repository), "OPERATOR")} />
    </div>
  );
}

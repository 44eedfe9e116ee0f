import { preload } from "react-dom";
import { requireRole } from "@/lib/auth/guard";
import { hasRole } from "@/lib/auth/roles";
import { getRegistry } from "@/lib/services/registries";
import { Breadcrumbs } from "@/components/breadcrumbs";
import { CopyButton } from "@/components/copy-button";
import { pullHost } from "@/components/format";
import { TagTable } from "@/components/tag-table";
import { FIRST_PAGE, tagsPath } from "@/lib/schemas/browse";

export const metadata = { title: "Tags" };

export default async function TagsPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ repository?: string }> }) {
  const [{ id }, { repository = "" }] = await Promise.all([params, searchParams]);
  // The tag list is asked for while the page's script still loads (before any database read, so
  // the hint goes out with the first bytes): the table's query, a plain same-origin GET of this
  // exact URL, takes the preloaded answer instead of starting after hydration. The API checks the
  // session itself; the hint only names the URL.
  // The first page goes first: it is small and fills the screen.
  for (const limit of [FIRST_PAGE, undefined]) preload(`/api/v1${tagsPath(id, repository, limit)}`, { as: "fetch", crossOrigin: "anonymous" });
  const actor = await requireRole("VIEWER");
  const r = await getRegistry(id);
  const pullBase = `${pullHost(r.endpoint)}/${repository}`;
  return (
    <div>
      <Breadcrumbs items={[{ label: "Registries", href: "/" }, { label: r.name, href: `/registries/${r.id}` }, { label: repository }]} />
      <p className="mb-4 flex items-center gap-2 font-mono text-xs text-slate-600">docker pull {pullBase}:&lt;tag&gt; <CopyButton text={`docker pull ${pullBase}`} /></p>
      <TagTable registryId={r.id} repository={repository} pullBase={pullBase} canPromote={hasRole(actor.role, "OPERATOR")} />
    </div>
  );
}

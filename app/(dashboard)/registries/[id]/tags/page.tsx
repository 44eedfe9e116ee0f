import { requireRole, requireSeePage, roleAt } from "@/lib/auth/guard";
import { hasRole } from "@/lib/schemas/roles";
import { withRegistryLane } from "@/lib/registry";
import { listTags } from "@/lib/services/browse";
import { withFirstScreenDetails } from "@/lib/services/tag-details";
import { getRegistry } from "@/lib/services/registries";
import { Breadcrumbs } from "@/components/breadcrumbs";
import { pullHost } from "@/components/format";
import { TagSizeChart } from "@/components/tag-size-chart";
import { TagTable } from "@/components/tag-table";
import { FIRST_PAGE, FIRST_SCREEN_ROWS, type TagsAnswer } from "@/lib/schemas/browse";
import { parseSort, sortParam } from "@/lib/tag-sort";

export const metadata = { title: "Tags" };

/** How long the page waits for the first rows; a slower registry is left to the table (which shows its error in place). */
const FIRST_PAGE_WAIT_MS = 400;
/** How much longer it waits for a cold first screen's details (digest, size, platforms, created). */
const FIRST_SCREEN_WAIT_MS = 300;

export default async function TagsPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ repository?: string; sort?: string }> }) {
  const [{ id }, { repository = "", sort: sortText }] = await Promise.all([params, searchParams]);
  // a reload or a shared link with a sort (?sort=-pushedAt) gets its first rows in that order
  const sort = parseSort(sortText);
  const actor = await requireRole("VIEWER");
  await requireSeePage(actor, id, repository);
  // The first screenful of rows comes with the HTML (painted before the page's script runs); the
  // table asks for the whole list once it runs (asking earlier, with a preload, made the server
  // and the browser compete for the CPU during the first paint). A registry that is slow or
  // failing does not hold the page: the table then asks itself and shows the error in place.
  // A cold repository's first screen is filled here too (its HEADs in the user's lane, as the
  // table's own requests are), so the HTML shows complete rows instead of placeholders.
  const first = listTags(id, repository, FIRST_PAGE, { recent: true, sort }).catch(() => undefined);
  const within = new Promise<undefined>((resolve) => setTimeout(resolve, FIRST_PAGE_WAIT_MS, undefined));
  const screen = Promise.race<TagsAnswer | undefined>([first, within]).then((a) =>
    a && withRegistryLane(actor.id, () => withFirstScreenDetails(id, repository, a, FIRST_SCREEN_ROWS, FIRST_SCREEN_WAIT_MS)).catch(() => a),
  );
  const [r, initialFirst] = await Promise.all([getRegistry(id), screen]);
  const pullBase = `${pullHost(r.endpoint)}/${repository}`;
  return (
    <div>
      <Breadcrumbs items={[{ label: "Registries", href: "/" }, { label: r.name, href: `/registries/${r.id}` }, { label: repository }]} />
      <h1 className="mb-1 break-all text-lg font-semibold">{repository}</h1>
      {/* no Copy here: without a tag the command would pull :latest; each row copies its own */}
      <p className="mb-4 break-all text-xs text-slate-600" data-testid="pull-template">
        <code className="font-mono">docker pull {pullBase}:&lt;tag&gt;</code> <span className="text-slate-600">· each row's “Copy pull” copies the command with its tag</span>
      </p>
      <TagTable registryId={r.id} repository={repository} pullBase={pullBase} canPromote={hasRole(await roleAt(actor, r.id, repository), "OPERATOR")} initialFirst={initialFirst && { ...initialFirst, sort: sortParam(sort) }} />
      <TagSizeChart registryId={r.id} repository={repository} />
    </div>
  );
}

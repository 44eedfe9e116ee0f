// The overview's "Recent activity": the newest tag changes across every registry, newest first.
import Link from "next/link";
import { groupActivity } from "@/components/activity-groups";
import { shortDigest } from "@/components/format";
import { Time } from "@/components/time";
import type { ActivityItem } from "@/lib/schemas/audit";

const VERBS: Record<string, string> = {
  "registry.push": "pushed",
  "registry.delete": "deleted",
  promote: "promoted",
  retag: "retagged",
  rollback: "rolled back",
  delete: "deleted",
};

/** Lines shown; consecutive changes of one kind to one repository and digest share a line. */
const LINES = 12;

export function RecentActivity({ items }: { items: ActivityItem[] }) {
  const groups = groupActivity(items, LINES);
  return (
    <section className="card mt-6" aria-label="Recent activity" data-testid="recent-activity">
      <h2 className="border-b border-slate-200 px-4 py-2 text-sm font-medium">Recent activity</h2>
      {!groups.length ? (
        <p className="px-4 py-3 text-sm text-slate-500">Nothing yet: pushes reported by registries (webhooks or the background sync) and promotions, retags, roll backs and deletes made here show up as they happen.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm">
          {groups.map(({ first: e, tags }) => {
            const more = tags.length - 1;
            const ref = e.repository ? `${e.repository}${e.tag ? `:${e.tag}` : ""}` : "";
            const href = e.registryId && e.repository && e.tag
              ? `/registries/${e.registryId}/manifest?${new URLSearchParams({ repository: e.repository, reference: e.tag })}`
              : undefined;
            const unknown = e.actor === "unknown";
            return (
              <li key={e.id} className="flex flex-wrap items-baseline gap-x-2 px-4 py-2" data-testid="activity-item">
                <Time at={e.at} className="w-20 shrink-0 text-xs text-slate-500" />{" "}
                <span className={unknown ? "italic text-slate-500" : "font-medium"} title={unknown ? "the registry did not say who" : undefined}>{e.actor}</span>{" "}
                <span className="text-slate-600">{VERBS[e.action] ?? e.action}</span>{" "}
                {href ? <Link href={href} prefetch={false} className="font-mono text-xs text-sky-800 hover:underline">{ref}</Link> : <span className="font-mono text-xs">{ref}</span>}{" "}
                {more > 0 && <span className="text-xs text-slate-600" title={tags.join(", ")} data-testid="activity-more">and {more} more {more === 1 ? "tag" : "tags"}</span>}{" "}
                {e.registryName && <span className="text-xs text-slate-500">in {e.registryName}</span>}{" "}
                {(e.previousDigest || e.digest) && (
                  <span className="font-mono text-xs text-slate-500">
                    {e.previousDigest && e.digest && e.previousDigest !== e.digest ? `${shortDigest(e.previousDigest)} → ${shortDigest(e.digest)}` : shortDigest((e.digest ?? e.previousDigest)!)}
                  </span>
                )}
                {!e.action.startsWith("registry.") && <span className="rounded bg-sky-50 px-1.5 text-xs text-sky-800 dark:bg-sky-950 dark:text-sky-300" data-testid="through-regatta">through Regatta</span>}
                {e.observedBy && <span className="rounded bg-slate-100 px-1.5 text-xs text-slate-500">seen by {e.observedBy}</span>}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

// Consecutive changes of one kind by one actor to one repository and digest (a bulk promotion of
// 10 tags, a push of several tags of one build) read as one line of the overview's activity.
import type { ActivityItem } from "@/lib/schemas/audit";

/** Items closer than this to the group's newest one may join it. */
const WINDOW_MS = 10 * 60_000;

export function groupActivity<T extends ActivityItem>(items: T[], maxGroups: number): { first: T; tags: string[] }[] {
  const groups: { first: T; tags: string[] }[] = [];
  const same = (a: T, b: T) =>
    a.actor === b.actor && a.action === b.action && a.registryId === b.registryId && a.repository === b.repository &&
    a.digest === b.digest && a.previousDigest === b.previousDigest && a.observedBy === b.observedBy &&
    Math.abs(Date.parse(a.at) - Date.parse(b.at)) <= WINDOW_MS;
  for (const item of items) {
    const last = groups.at(-1);
    if (last && same(last.first, item)) {
      if (item.tag && !last.tags.includes(item.tag)) last.tags.push(item.tag);
      continue;
    }
    if (groups.length === maxGroups) break;
    groups.push({ first: item, tags: item.tag ? [item.tag] : [] });
  }
  return groups;
}

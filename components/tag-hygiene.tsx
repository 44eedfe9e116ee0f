"use client";
// Cheap hygiene checks from what the tag table already holds.
import type { TagRow } from "@/lib/schemas/browse";
import { formatBytes, shortDigest } from "@/components/format";
import { compareTagNames, parseVersion } from "@/lib/tag-sort";

export function hygieneWarnings(tags: TagRow[]): string[] {
  const out: string[] = [];
  if (tags.length === 1 && tags[0]!.name === "latest") out.push("Only “latest” is tagged: nobody can pin or roll back to a version.");
  const latest = tags.find((t) => t.name === "latest");
  const versions = tags.filter((t) => parseVersion(t.name) && !parseVersion(t.name)!.pre).sort((a, b) => compareTagNames(a.name, b.name));
  const highest = versions.at(-1);
  if (latest?.digest && highest?.digest && latest.digest !== highest.digest) {
    out.push(`“latest” (${shortDigest(latest.digest)}) is not the highest version ${highest.name} (${shortDigest(highest.digest)}).`);
  }
  const byDigest = new Map<string, { size: number; tags: string[] }>();
  for (const t of tags) {
    if (!t.digest || t.size === undefined || t.kind === "artifact") continue;
    const e = byDigest.get(t.digest) ?? { size: t.size, tags: [] };
    e.tags.push(t.name);
    byDigest.set(t.digest, e);
  }
  const sizes = [...byDigest.values()].map((e) => e.size).sort((a, b) => a - b);
  if (sizes.length >= 3) {
    const median = sizes.length % 2 ? sizes[(sizes.length - 1) / 2]! : (sizes[sizes.length / 2 - 1]! + sizes[sizes.length / 2]!) / 2;
    const big = [...byDigest.values()].filter((e) => e.size > 2 * median).sort((a, b) => b.size - a.size);
    for (const e of big.slice(0, 3)) {
      const names = e.tags.slice(0, 3).join(", ") + (e.tags.length > 3 ? ` and ${e.tags.length - 3} more` : "");
      out.push(`${names}: ${formatBytes(e.size)}, more than twice the median image (${formatBytes(median)}).`);
    }
    if (big.length > 3) out.push(`${big.length - 3} more images are more than twice the median size.`);
  }
  return out;
}

export function TagHygiene({ tags }: { tags: TagRow[] }) {
  const warnings = hygieneWarnings(tags);
  if (!warnings.length) return null;
  return (
    <ul className="space-y-1 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="hygiene">
      {warnings.map((w) => (
        <li key={w}>⚠ {w}</li>
      ))}
    </ul>
  );
}

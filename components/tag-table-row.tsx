"use client";
import Link from "next/link";
import { memo } from "react";
import { CopyButton } from "@/components/copy-button";
import { formatBytes, shortDigest } from "@/components/format";
import { Time } from "@/components/time";
import type { TagRow } from "@/lib/schemas/browse";

/** One grid for the header and every row; the table sets the tracks of the columns shown. */
export const TAG_GRID = "grid grid-cols-(--tag-cols-phone) sm:grid-cols-(--tag-cols) items-center gap-x-3 px-4";

function hue(digest: string): number {
  return parseInt(digest.slice(7, 13), 16) % 360;
}

/** Tags that share this row's digest, for the marker. */
export interface Siblings { names: string[] }

/** `partial`: rows are still filling, so the count is of the rows filled so far (at least that many). */
function SharedMarker({ tag, siblings, digest, partial }: { tag: string; siblings: Siblings; digest: string; partial?: boolean }) {
  const others = siblings.names.filter((n) => n !== tag);
  if (!others.length) return null;
  const label = others.includes("latest") ? "= latest" : `×${siblings.names.length}${partial ? "+" : ""}`;
  const title = `same digest as ${others.slice(0, 8).join(", ")}${others.length > 8 ? ` and ${others.length - 8} more` : ""}${partial ? " (of the rows filled so far)" : ""}`;
  return (
    <span className="inline-flex items-center gap-1 text-[11px] text-slate-500" title={title} data-testid="shared">
      <span className="inline-block h-2 w-2 rounded-full" style={{ backgroundColor: `hsl(${hue(digest)} 65% 45%)` }} />
      {label}
    </span>
  );
}

// Static: an animation anywhere on the page makes the browser paint every frame for as long as it
// runs, here as long as a table fills (ten cold tables in one machine's browsers: 51.7 s of their
// CPU instead of 16.0). The progress bar above the table moves as rows arrive.
const Pending = () => <span className="inline-block h-3 w-12 rounded bg-slate-100" />;

export const TagTableRow = memo(function TagTableRow({
  t, siblings, partial, registryId, repository, pullBase, top, height,
}: { t: TagRow; siblings?: Siblings; partial?: boolean; registryId: string; repository: string; pullBase: string; top: number; height: number }) {
  const known = !!t.kind;
  return (
    <div
      role="row"
      data-testid="tag-row"
      data-tag={t.name}
      className={`${TAG_GRID} absolute left-0 top-0 w-full border-b border-slate-100 text-sm hover:bg-slate-50`}
      style={{ height, transform: `translateY(${top}px)` }}
    >
      <div role="cell" data-col="name" className="flex min-w-0 items-center gap-2">
        <Link
          prefetch={false}
          className="truncate font-mono text-sky-800 hover:underline"
          href={`/registries/${registryId}/manifest?repository=${encodeURIComponent(repository)}&reference=${encodeURIComponent(t.name)}`}
        >
          {t.name}
        </Link>
        {t.digest && siblings && <SharedMarker tag={t.name} siblings={siblings} digest={t.digest} partial={partial} />}
      </div>
      <div role="cell" data-col="digest" className="font-mono text-xs">
        {t.digest ? <span title={t.digest}><CopyButton text={t.digest} label={shortDigest(t.digest)} /></span> : <Pending />}
      </div>
      <div role="cell" data-col="kind" className="text-xs text-slate-600" title={t.artifactType}>{known ? t.kind : t.digest ? <Pending /> : null}</div>
      <div role="cell" data-col="platforms" className="truncate text-xs text-slate-600" title={t.platforms?.join(", ")}>
        {known ? (t.platforms?.length ? t.platforms.join(", ") : "–") : <Pending />}
      </div>
      {/* elementtiming: when the browser painted the rows (Element Timing; the benchmark reads it) */}
      <div role="cell" data-col="size" className="text-right text-xs tabular-nums" {...{ elementtiming: "tag-size" }}>{known ? formatBytes(t.size) : <Pending />}</div>
      <div role="cell" data-col="created" className="text-xs tabular-nums text-slate-600" title={t.createdAt}>{known ? (t.createdAt ? <Time at={t.createdAt} /> : "–") : <Pending />}</div>
      <div role="cell" data-col="pushed" className="text-xs tabular-nums text-slate-600" title={t.pushedAt ? `pushed ${t.pushedAt}${t.pushedBy ? ` by ${t.pushedBy}` : ""}` : t.changedAt ? `first seen by Regatta at ${t.changedAt}; the registry did not say when this tag was pushed` : undefined}>
        {t.pushedAt ? <Time at={t.pushedAt} /> : t.changedAt ? (
          <span className="italic text-slate-500" data-testid="first-seen"><span className="text-[10px] uppercase not-italic tracking-wide">first seen</span> <Time at={t.changedAt} /></span>
        ) : null}
      </div>
      <div role="cell" data-col="actions" className="text-right"><CopyButton text={`docker pull ${pullBase}:${t.name}`} label="Copy pull" /></div>
    </div>
  );
});

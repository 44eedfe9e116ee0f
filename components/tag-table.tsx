"use client";
// The tag table: names at once, details filling in progressively, virtualised rows, client-side
// sort and filter. 10,000 tags render ~40 rows at a time.
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { useUrlState } from "@/components/hooks/use-url-state";
import { useTagDetails } from "@/components/hooks/use-tag-details";
import { useQueryClient } from "@tanstack/react-query";
import { tagsKey, useFirstTags, useTags } from "@/components/hooks/use-tags";
import { ErrorMessage } from "@/components/error-message";
import { TagHygiene } from "@/components/tag-hygiene";
import { TAG_GRID, TagTableRow, type Siblings } from "@/components/tag-table-row";
import { byName, filterProblem, filterTags, isDefaultSort, parseSort, sortParam, sortTags, type Sort, type SortKey } from "@/lib/tag-sort";
import { BULK_LIMIT, BulkPromoteDialog } from "@/components/bulk-promote-dialog";
import type { FirstTags } from "@/components/hooks/use-tags";
import { isGlob } from "@/lib/glob";
import type { TagRow } from "@/lib/schemas/browse";

const noSubscribe = () => () => {};

const ROW_HEIGHT = 34;

// col: the cells' data-col; width: its grid track; phone: shown at < 640 px unless columns were chosen
const COLUMNS: { key: SortKey | null; col: string; label: string; width: string; phoneWidth?: string; right?: boolean; phone?: boolean }[] = [
  { key: "name", col: "name", label: "Tag", width: "minmax(9rem,2fr)", phoneWidth: "minmax(0,1fr)", phone: true },
  { key: "digest", col: "digest", label: "Digest", width: "8.5rem" },
  { key: "kind", col: "kind", label: "Kind", width: "4.5rem" },
  { key: "platforms", col: "platforms", label: "Platforms", width: "minmax(7rem,1.4fr)" },
  { key: "size", col: "size", label: "Size", width: "5.5rem", phoneWidth: "4.5rem", right: true, phone: true },
  { key: "createdAt", col: "created", label: "Created", width: "8.5rem" },
  { key: "pushedAt", col: "pushed", label: "Pushed / first seen", width: "11rem", phoneWidth: "7.5rem", phone: true },
  { key: null, col: "actions", label: "", width: "5.5rem" },
];
const CHOOSABLE = COLUMNS.filter((c) => c.key && c.key !== "name");

/** Grid tracks and hidden cells for a set of shown columns (the row's cells carry data-col). */
function layout(shown: (c: (typeof COLUMNS)[number]) => boolean, phone = false) {
  const cols = COLUMNS.filter(shown);
  return { tracks: cols.map((c) => (phone && c.phoneWidth) || c.width).join(" "), hide: COLUMNS.filter((c) => !shown(c)).map((c) => c.col).join(" ") };
}

export function TagTable({ registryId, repository, pullBase, canPromote = false, initialFirst }: { registryId: string; repository: string; pullBase: string; canPromote?: boolean; initialFirst?: FirstTags }) {
  const [bulk, setBulk] = useState(false);
  // filter, sort and chosen columns live in the URL (reload and shared links keep them)
  const [view, setView] = useUrlState({ q: "", sort: "name", cols: "" });
  const filter = view.q;
  const setFilter = (q: string) => setView({ q });
  const sort = parseSort(view.sort);
  // while the whole list travels, its first page in the chosen order fills the screen
  const queryClient = useQueryClient();
  const cached = !!queryClient.getQueryData(tagsKey(registryId, repository));
  // asked for once, at mount; a sort chosen after the whole list is in needs no first page
  const [wantFirst] = useState(!cached);
  const first = useFirstTags(registryId, repository, sortParam(sort), wantFirst && !cached, initialFirst);
  const tags = useTags(registryId, repository, !wantFirst || first.data !== undefined || first.isError);
  const preview = !tags.data && first.data ? first.data : undefined;
  // the order of the rows shown: a first page is in the order it was asked in (the page of the
  // last sort stays on screen while the server sorts for the new one)
  const shown = preview ? parseSort(preview.sort) : sort;
  const sorting = preview && first.isPlaceholderData ? sort : undefined;
  // sort buttons work once the page runs (a click before that would be lost)
  const running = useSyncExternalStore(noSubscribe, () => true, () => false);
  const [recheck, setRecheck] = useState(0);
  // the rows on screen (set below, each render): their details are asked for first
  const onScreen = useRef<readonly string[]>([]);
  const progress = useTagDetails(registryId, repository, tags.data, recheck, () => onScreen.current);
  const chosen = view.cols ? new Set(["name", "actions", ...view.cols.split(",")]) : undefined;
  const desktop = layout((c) => !chosen || chosen.has(c.col));
  const phone = layout((c) => (chosen ? chosen.has(c.col) : !!c.phone), true);
  const pick = (col: string, on: boolean) => {
    const now = CHOOSABLE.filter((c) => (c.col === col ? on : !chosen || chosen.has(c.col))).map((c) => c.col);
    setView({ cols: now.length === CHOOSABLE.length ? "" : now.join(",") || "none" });
  };
  const f = useDeferredValue(filter);
  const all = useMemo(() => tags.data?.tags ?? preview?.tags ?? [], [tags.data, preview]);

  const siblings = useMemo(() => {
    const byDigest = new Map<string, Siblings>();
    for (const t of all) {
      if (!t.digest) continue;
      const s = byDigest.get(t.digest);
      if (s) s.names.push(t.name);
      else byDigest.set(t.digest, { names: [t.name] });
    }
    return byDigest;
  }, [all]);
  // the name order once per list (the default view, and every other sort's tie-break)
  const named = useMemo(() => byName(all), [all]);
  const shownKey = sortParam(shown);
  const sorted = useMemo(() => sortTags(all, shown, named), [all, shownKey, named]);
  // the glob matcher (re2js, ~150 KB) loads when the filter box is used or a filter is a glob; till
  // then a glob filter keeps the rows it had
  const [matcher, setMatcher] = useState<typeof import("@/lib/glob-match")>();
  const loadMatcher = useCallback(() => void (matcher || import("@/lib/glob-match").then(setMatcher)), [matcher]);
  useEffect(() => {
    if (isGlob(f)) loadMatcher();
  }, [f, loadMatcher]);
  const lastRows = useRef<TagRow[]>([]);
  const rows = useMemo(() => (lastRows.current = filterTags(sorted, f, matcher?.compileGlob) ?? lastRows.current), [sorted, f, matcher]);
  const problem = useMemo(() => filterProblem(f), [f]);
  // its checks read every row: once per list, not on every sort click or keystroke
  const hygiene = useMemo(() => <TagHygiene tags={all} />, [all]);

  const scroller = useRef<HTMLDivElement>(null);
  // initialRect: the server renders the first screenful too (there is no scroller to measure there)
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 15, initialRect: { width: 1200, height: 600 } });

  onScreen.current = virtual.getVirtualItems().map((v) => rows[v.index]?.name).filter((n): n is string => !!n);

  const toggle = (key: SortKey) => {
    const next: Sort = sort.key === key ? { key, dir: sort.dir === "asc" ? "desc" : "asc" } : { key, dir: key === "name" ? "asc" : "desc" };
    setView({ sort: sortParam(next) });
  };
  const done = !progress.running && progress.done >= progress.total;
  // known from the first screen: its total (the filter applies once the whole list is in)
  const promotable = tags.data ? rows.length : (preview?.total ?? 0);
  const overLimit = canPromote && promotable > BULK_LIMIT;

  return (
    <div className="space-y-3">
      {/* The toolbar has the same parts from the first screen to the last row filled, each part as
          wide or as tall as it ends up: a part that arrives late and pushes the table down makes a
          click aimed at a row land on another (layout shift, e2e browse.spec.ts) */}
      <div className="flex flex-wrap items-center gap-3">
        <input className="input max-w-sm" placeholder="Filter tags (text or glob: 1.4.*, v{1,2}.*, rc[0-9])" value={filter} onFocus={loadMatcher} onChange={(e) => setFilter(e.target.value)} aria-label="Filter tags" aria-invalid={problem ? true : undefined} aria-describedby={problem ? "tag-filter-problem" : undefined} />
        {problem && <span id="tag-filter-problem" role="status" className="text-sm text-red-700" data-testid="tag-filter-problem">Not a glob: {problem}</span>}
        {canPromote && (tags.data || preview) && (
          <button type="button" className="btn-secondary py-1" onClick={() => setBulk(true)} disabled={!tags.data || !rows.length || overLimit} aria-describedby={overLimit ? "bulk-limit" : undefined}>
            Promote {!tags.data || rows.length === all.length ? "all" : "these"} {promotable.toLocaleString("en")}…
          </button>
        )}
        <details className="relative text-sm" data-testid="columns">
          <summary className="btn-secondary cursor-pointer list-none py-1">Columns</summary>
          <fieldset className="card absolute z-10 mt-1 w-44 space-y-1 p-2">
            <legend className="sr-only">Columns shown</legend>
            {CHOOSABLE.map((c) => (
              <label key={c.col} className="flex items-center gap-2">
                <input type="checkbox" checked={!chosen || chosen.has(c.col)} onChange={(e) => pick(c.col, e.target.checked)} /> {c.label}
              </label>
            ))}
          </fieldset>
        </details>
      </div>
      {overLimit && (
        <p id="bulk-limit" className="text-xs text-amber-800 dark:text-amber-300" data-testid="bulk-limit">
          Bulk promote takes up to {BULK_LIMIT} tags at once: filter the table (e.g. <code>1.4.*</code>) to {BULK_LIMIT} or fewer.
        </p>
      )}
      {/* one line each on a phone, one line on a wider screen; the count on the left, the fill on the right */}
      <div className="flex min-h-6 flex-col gap-1 text-sm text-slate-500 sm:flex-row sm:items-center sm:gap-3">
        {tags.data ? (
          <span className="truncate" data-testid="tag-count">{rows.length} of {all.length} tags</span>
        ) : preview ? (
          <span className="truncate" data-testid="tag-count-loading" role="status">
            {sorting ? `sorting ${preview.total?.toLocaleString("en")} tags by ${COLUMNS.find((c) => c.key === sorting.key)?.label.toLowerCase()}…` : `first ${preview.tags.length} of ${preview.total?.toLocaleString("en")} tags${isDefaultSort(shown) ? "" : ` by ${COLUMNS.find((c) => c.key === shown.key)?.label.toLowerCase()}`}, loading the rest…`}
          </span>
        ) : (
          <span />
        )}
        <span className="flex min-h-6 items-center gap-2 self-end text-xs sm:ml-auto sm:self-auto" data-testid="details-progress" data-state={progress.error ? "error" : !tags.data ? "waiting" : done ? "done" : "running"}>
          {/* a bar that moves when rows arrive, not an animation: one animated element kept every frame
              painting while a table filled (ten tables in one machine's browsers: 58.9 s of their CPU, 16.0 without);
              hidden, not removed, once done (its place kept) */}
          <span className={`inline-block h-1.5 w-16 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700 ${done || progress.error ? "invisible" : ""}`} role="progressbar" aria-label="Rows filled" aria-valuemin={0} aria-valuemax={progress.total} aria-valuenow={progress.done} data-testid="details-bar">
            <span className="block h-full bg-sky-500" style={{ width: `${progress.total ? (100 * progress.done) / progress.total : 0}%` }} />
          </span>
          {/* as wide as "details 10000/10000" from the start: the numbers grow without moving the bar */}
          <span className="inline-block min-w-[8.5rem] tabular-nums">
            {!tags.data ? "details …" : progress.total ? `details ${progress.done}/${progress.total}` : "every row known"}
            {progress.revalidating > 0 && progress.running && <span> · re-checking {progress.revalidating}</span>}
          </span>
          <button type="button" className="rounded px-1.5 py-0.5 text-sky-700 hover:bg-sky-50 disabled:opacity-50" disabled={!tags.data || progress.running} onClick={() => setRecheck((n) => n + 1)} title="HEAD every tag again to catch moved tags (no manifest is downloaded twice)">
            Re-check
          </button>
        </span>
      </div>
      <ErrorMessage error={tags.error ?? progress.error} query={tags.error ? tags : undefined} />
      {bulk && <BulkPromoteDialog registryId={registryId} repository={repository} tags={rows.map((r) => r.name)} onClose={() => setBulk(false)} />}
      <div
        className="card overflow-hidden"
        role="table"
        aria-label={`Tags of ${repository}`}
        aria-rowcount={rows.length}
        data-hide={desktop.hide}
        data-hide-phone={phone.hide}
        style={{ "--tag-cols": desktop.tracks, "--tag-cols-phone": phone.tracks } as React.CSSProperties}
      >
        <div role="row" className={`${TAG_GRID} border-b border-slate-200 bg-slate-50 py-2 text-xs font-medium text-slate-600`}>
          {COLUMNS.map((c) => (
            <div key={c.col} role="columnheader" data-col={c.col} className={c.right ? "text-right" : ""} aria-sort={c.key && shown.key === c.key ? (shown.dir === "asc" ? "ascending" : "descending") : undefined} aria-busy={c.key && sorting?.key === c.key ? true : undefined}>
              {c.key && (
                <button type="button" className="hover:text-slate-900 disabled:cursor-wait" disabled={!running} onClick={() => toggle(c.key!)} data-testid={`sort-${c.key}`}>
                  {c.label}{shown.key === c.key ? (shown.dir === "asc" ? " ▲" : " ▼") : ""}{sorting?.key === c.key ? " …" : ""}
                </button>
              )}
            </div>
          ))}
        </div>
        {/* as tall as its rows, at most 65 % of the screen: a short list leaves what follows (the
            hygiene warnings, the size chart) in view; the first screen already has every row of a
            short list, so the height does not change as details arrive */}
        <div ref={scroller} className="max-h-[65vh] overflow-auto" data-testid="tags">
          {tags.isPending && !preview && <p className="px-4 py-3 text-sm text-slate-500">Loading tags…</p>}
          {tags.data && !rows.length && !(isGlob(f) && !matcher) && <p className="px-4 py-3 text-sm text-slate-500">No tag{filter ? ` matches “${filter}”` : ""}.</p>}
          <div className="relative w-full" style={{ height: virtual.getTotalSize() }}>
            {virtual.getVirtualItems().map((v) => {
              const t = rows[v.index]!;
              return (
                <TagTableRow
                  key={t.name}
                  t={t}
                  siblings={t.digest ? siblings.get(t.digest) : undefined}
                  partial={!tags.data || !done}
                  registryId={registryId}
                  repository={repository}
                  pullBase={pullBase}
                  top={v.start}
                  height={ROW_HEIGHT}
                />
              );
            })}
          </div>
        </div>
      </div>
      {/* below the table: its warnings come as rows fill, and would push the rows down from above */}
      {tags.data && hygiene}
    </div>
  );
}

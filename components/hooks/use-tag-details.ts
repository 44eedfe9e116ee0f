"use client";
// Fills in the tag table progressively: batches of tags go to POST …/tags/details, a few at a
// time, and each answer is merged into the tags query's cache so rows fill in as they arrive.
// The rows on screen go first: the first batch is the screenful alone, and every later batch
// starts with whatever rows are on screen when it is cut (a user who scrolls sees those next).
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { api } from "@/components/api";
import { tagsKey } from "@/components/hooks/use-tags";
import { needsDetails, TAG_DETAILS_BATCH, type TagDetailsAnswer, type TagRow, type TagsAnswer } from "@/lib/schemas/browse";

/** Batches in flight at once (each one runs ~12 HEADs on the server). */
const CONCURRENCY = 3;
/** The first batch (the rows on screen) is sent alone and is at most this big. */
const FIRST_BATCH = 60;
/** Rows checked longer ago than this are re-checked in the background (HEAD only). */
export const REVALIDATE_AFTER_MS = 5 * 60_000;

export interface DetailsProgress {
  /** rows that lacked details when the list arrived */
  total: number;
  done: number;
  /** known rows being re-checked in the background */
  revalidating: number;
  running: boolean;
  error: unknown;
}

/**
 * `recheck` (a counter) re-checks every row by HEAD, e.g. after someone moved a tag.
 * `onScreen` names the rows on screen now (the table's virtual rows, in display order); it is
 * asked each time a batch is cut, so those rows are filled first.
 */
export function useTagDetails(registryId: string, repository: string, data: TagsAnswer | undefined, recheck = 0, onScreen?: () => readonly string[]): DetailsProgress {
  const qc = useQueryClient();
  // the progress of one run, named by the answer and re-check it belongs to
  const [progress, setProgress] = useState<DetailsProgress & { run?: string }>({ total: 0, done: 0, revalidating: 0, running: false, error: null });
  const at = data?.at;
  const run = `${at}:${recheck}`;
  // between a new answer and its run's first update, the table must not say "done"
  const starting = useMemo<DetailsProgress>(() => ({ total: data ? data.tags.filter(needsDetails).length : 0, done: 0, revalidating: 0, running: !!data, error: null }), [data]);
  const screen = useRef(onScreen);
  screen.current = onScreen;

  useEffect(() => {
    if (!data) return;
    let cancelled = false;
    const now = Date.parse(data.at);
    const missing = new Set(data.tags.filter(needsDetails).map((t) => t.name));
    const stale = new Set(data.tags.filter((t) => !needsDetails(t) && (recheck > 0 || !t.checkedAt || now - Date.parse(t.checkedAt) > REVALIDATE_AFTER_MS)).map((t) => t.name));
    const total = missing.size;
    const lacking = new Set(missing); // what counts towards "details n/total"
    setProgress({ run, total, done: 0, revalidating: stale.size, running: missing.size + stale.size > 0, error: null });
    if (!missing.size && !stale.size) return;

    /** The next batch: rows on screen that lack details, then the rest in list order, then re-checks. */
    const cut = (size: number, screenOnly = false): string[] => {
      const out: string[] = [];
      const take = (from: Set<string>, names: Iterable<string>) => {
        for (const n of names) {
          if (out.length >= size) return;
          if (from.delete(n)) out.push(n);
        }
      };
      const visible = screen.current?.() ?? [];
      take(missing, visible);
      take(stale, visible);
      if (!screenOnly) {
        take(missing, missing);
        take(stale, stale);
      }
      return out;
    };
    const merge = (rows: TagRow[]) =>
      qc.setQueryData<TagsAnswer>(tagsKey(registryId, repository), (old) => {
        if (!old) return old;
        const byName = new Map(rows.map((r) => [r.name, r]));
        return { ...old, tags: old.tags.filter((t) => !byName.get(t.name)?.missing).map((t) => byName.get(t.name) ?? t) };
      });
    const send = async (names: string[]) => {
      if (cancelled || !names.length) return;
      const missingBefore = names.filter((n) => lacking.has(n)).length;
      // filling: answers of the last minute will do; a re-check the user asked for wants the registry's now
      const answer = await api<TagDetailsAnswer>(`/registries/${registryId}/tags/details`, { method: "POST", body: { repository, tags: names, ...(recheck === 0 && { fill: true }) } });
      if (cancelled) return;
      merge(answer.tags);
      if (missingBefore) setProgress((p) => ({ ...p, done: Math.min(p.total, p.done + missingBefore) }));
    };
    const worker = async () => {
      for (let names = cut(TAG_DETAILS_BATCH); names.length && !cancelled; names = cut(TAG_DETAILS_BATCH)) await send(names);
    };
    // the screenful alone first (it competes with no other batch for the registry), then the rest
    send(cut(FIRST_BATCH, true))
      .then(() => Promise.all(Array.from({ length: CONCURRENCY }, worker)))
      .then(() => !cancelled && setProgress((p) => ({ ...p, done: p.total, running: false })))
      .catch((error: unknown) => {
        cancelled = true;
        setProgress((p) => ({ ...p, running: false, error }));
      });
    return () => {
      cancelled = true;
    };
    // one run per answer of the tag list (`at` changes when it is fetched again) or asked re-check
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [registryId, repository, at, recheck]);

  return progress.run === run ? progress : starting;
}

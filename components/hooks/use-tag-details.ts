"use client";
// Fills in the tag table progressively: batches of tags go to POST …/tags/details, a few at a
// time, and each answer is merged into the tags query's cache so rows fill in as they arrive.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { api } from "@/components/api";
import { tagsKey } from "@/components/hooks/use-tags";
import { TAG_DETAILS_BATCH, type TagDetailsAnswer, type TagRow, type TagsAnswer } from "@/lib/schemas/browse";
import { mapLimit } from "@/lib/concurrency";

/** Batches in flight at once (each one runs ~12 HEADs on the server). */
const CONCURRENCY = 3;
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

function needsDetails(t: TagRow): boolean {
  return !t.digest || !t.kind;
}

/** `recheck` (a counter) re-checks every row by HEAD, e.g. after someone moved a tag. */
export function useTagDetails(registryId: string, repository: string, data: TagsAnswer | undefined, recheck = 0): DetailsProgress {
  const qc = useQueryClient();
  // the progress of one run, named by the answer and re-check it belongs to
  const [progress, setProgress] = useState<DetailsProgress & { run?: string }>({ total: 0, done: 0, revalidating: 0, running: false, error: null });
  const at = data?.at;
  const run = `${at}:${recheck}`;
  // between a new answer and its run's first update, the table must not say "done"
  const starting = useMemo<DetailsProgress>(() => ({ total: data ? data.tags.filter(needsDetails).length : 0, done: 0, revalidating: 0, running: !!data, error: null }), [data]);

  useEffect(() => {
    if (!data) return;
    let cancelled = false;
    const now = Date.parse(data.at);
    const missing = data.tags.filter(needsDetails).map((t) => t.name);
    const stale = data.tags.filter((t) => !needsDetails(t) && (recheck > 0 || !t.checkedAt || now - Date.parse(t.checkedAt) > REVALIDATE_AFTER_MS)).map((t) => t.name);
    const missingSet = new Set(missing);
    const batches: string[][] = [];
    for (const names of [missing, stale]) for (let i = 0; i < names.length; i += TAG_DETAILS_BATCH) batches.push(names.slice(i, i + TAG_DETAILS_BATCH));
    setProgress({ run, total: missing.length, done: 0, revalidating: stale.length, running: batches.length > 0, error: null });
    if (!batches.length) return;

    const merge = (rows: TagRow[]) =>
      qc.setQueryData<TagsAnswer>(tagsKey(registryId, repository), (old) => {
        if (!old) return old;
        const byName = new Map(rows.map((r) => [r.name, r]));
        return { ...old, tags: old.tags.filter((t) => !byName.get(t.name)?.missing).map((t) => byName.get(t.name) ?? t) };
      });
    mapLimit(batches, CONCURRENCY, async (names) => {
      if (cancelled) return;
      const answer = await api<TagDetailsAnswer>(`/registries/${registryId}/tags/details`, { method: "POST", body: { repository, tags: names } });
      if (cancelled) return;
      merge(answer.tags);
      const filled = names.filter((n) => missingSet.has(n)).length;
      if (filled) setProgress((p) => ({ ...p, done: Math.min(p.total, p.done + filled) }));
    }, { onFailure: "reject" })
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

"use client";
// Table state (sort, filter, columns) kept in the page's query string, so a reload or a shared
// link shows the same view. Values equal to their default stay out of the URL; other parameters
// of the page (e.g. ?repository=) are kept. replaceState: no history entry per keystroke and no
// server round trip (Next.js keeps useSearchParams in step with it).
import { useSearchParams } from "next/navigation";
import { useCallback, useState } from "react";

export function useUrlState<K extends string>(defaults: Record<K, string>): [Record<K, string>, (patch: Partial<Record<K, string>>) => void] {
  const params = useSearchParams();
  const [state, setState] = useState<Record<K, string>>(() => {
    const s = { ...defaults };
    for (const k of Object.keys(defaults) as K[]) s[k] = params.get(k) ?? defaults[k];
    return s;
  });
  const set = useCallback(
    (patch: Partial<Record<K, string>>) => {
      setState((s) => ({ ...s, ...patch }));
      const url = new URL(window.location.href);
      for (const [k, v] of Object.entries(patch) as [K, string | undefined][]) {
        if (v === undefined || v === defaults[k]) url.searchParams.delete(k);
        else url.searchParams.set(k, v);
      }
      window.history.replaceState(window.history.state, "", url);
    },
    // defaults: a literal per call site; its values, not its identity, matter
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [JSON.stringify(defaults)],
  );
  return [state, set];
}

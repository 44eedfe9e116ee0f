"use client";
import { useEffect, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";
import { SEARCH_MIN, type SearchAnswer } from "@/lib/schemas/search";

/** `value`, once it has stopped changing for `ms`. */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function useSearch(text: string) {
  const q = useDebounced(text.trim(), 150);
  const query = useQuery({
    queryKey: ["search", { q }],
    queryFn: () => api<SearchAnswer>(`/search?${new URLSearchParams({ q })}`),
    enabled: q.length >= SEARCH_MIN,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
  return { ...query, q, settled: q === text.trim() };
}

"use client";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";
import type { DiffAnswer } from "@/lib/schemas/diff";

/** The diff of two references as the query spells them (`<registryId>:<repository>:<tag or digest>`). */
export function useDiff(from: string, to: string) {
  return useQuery({
    queryKey: ["diff", { from, to }],
    queryFn: () => api<DiffAnswer>(`/diff?${new URLSearchParams({ from, to })}`),
    enabled: !!from && !!to,
    retry: false,
  });
}

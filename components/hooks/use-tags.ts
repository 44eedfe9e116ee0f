"use client";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";
import type { TagsAnswer } from "@/lib/schemas/browse";

export const tagsKey = (registryId: string, repository: string) => ["tags", { registryId, repository }] as const;

/** The tag names at once, with every column PostgreSQL already knows; useTagDetails fills in the rest. */
export function useTags(registryId: string, repository: string) {
  return useQuery({
    queryKey: tagsKey(registryId, repository),
    queryFn: () => api<TagsAnswer>(`/registries/${registryId}/tags?${new URLSearchParams({ repository })}`),
    staleTime: 60_000,
    // rows are replaced wholesale by the details batches; deep-comparing 10,000 rows each time is waste
    structuralSharing: false,
  });
}

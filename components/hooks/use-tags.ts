"use client";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";
import { FIRST_PAGE, tagsPath, type TagsAnswer } from "@/lib/schemas/browse";

export const tagsKey = (registryId: string, repository: string) => ["tags", { registryId, repository }] as const;

/** The tag names at once, with every column PostgreSQL already knows; useTagDetails fills in the rest. */
export function useTags(registryId: string, repository: string) {
  return useQuery({
    queryKey: tagsKey(registryId, repository),
    queryFn: () => api<TagsAnswer>(tagsPath(registryId, repository)),
    staleTime: 60_000,
    // rows are replaced wholesale by the details batches; deep-comparing 10,000 rows each time is waste
    structuralSharing: false,
  });
}

/**
 * The first screenful of the same table (FIRST_PAGE rows in name order, and the total), asked for
 * beside the whole list: a 10,000-tag repository shows rows before its whole list has travelled.
 * Not asked for when the whole list is already in the cache.
 */
export function useFirstTags(registryId: string, repository: string, enabled: boolean) {
  return useQuery({
    queryKey: ["tags-first", { registryId, repository }],
    queryFn: () => api<TagsAnswer>(tagsPath(registryId, repository, FIRST_PAGE)),
    staleTime: 60_000,
    enabled,
  });
}

"use client";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";
import { FIRST_PAGE, tagsPath, type TagsAnswer } from "@/lib/schemas/browse";

export const tagsKey = (registryId: string, repository: string) => ["tags", { registryId, repository }] as const;

/** The tag names at once, with every column PostgreSQL already knows; useTagDetails fills in the rest. */
export function useTags(registryId: string, repository: string, enabled = true) {
  return useQuery({
    queryKey: tagsKey(registryId, repository),
    queryFn: () => api<TagsAnswer>(tagsPath(registryId, repository)),
    enabled,
    staleTime: 60_000,
    // rows are replaced wholesale by the details batches; deep-comparing 10,000 rows each time is waste
    structuralSharing: false,
  });
}

/**
 * The first screenful of the same table (FIRST_PAGE rows in name order, and the total), asked for
 * before the whole list: a 10,000-tag repository shows rows before its whole list has travelled.
 * The whole list is asked for once this answer is in (the server's one thread would otherwise
 * serialise the big answer in front of the small one). Not asked for when the whole list is
 * already in the cache.
 */
export function useFirstTags(registryId: string, repository: string, enabled: boolean, initialData?: TagsAnswer) {
  return useQuery({
    queryKey: ["tags-first", { registryId, repository }],
    queryFn: () => api<TagsAnswer>(tagsPath(registryId, repository, FIRST_PAGE)),
    staleTime: 60_000,
    enabled,
    // rendered into the page's HTML by the server
    initialData,
  });
}

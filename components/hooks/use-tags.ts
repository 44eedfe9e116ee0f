"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
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

/** A first page, with the sort it is in (`name`, `-pushedAt`, …: lib/tag-sort.ts sortParam). */
export type FirstTags = TagsAnswer & { sort: string };

/**
 * The first screenful of the same table (FIRST_PAGE rows in the table's order, and the total),
 * asked for before the whole list: a 10,000-tag repository shows rows before its whole list has
 * travelled. The whole list is asked for once this answer is in (the server's one thread would
 * otherwise serialise the big answer in front of the small one). Not asked for when the whole
 * list is already in the cache. A sort chosen before the whole list is in asks the server for
 * the first rows in that order; the last page stays on screen meanwhile (isPlaceholderData).
 */
export function useFirstTags(registryId: string, repository: string, sort: string, enabled: boolean, initialData?: FirstTags) {
  return useQuery({
    queryKey: ["tags-first", { registryId, repository, sort }],
    queryFn: async (): Promise<FirstTags> => ({ ...(await api<TagsAnswer>(tagsPath(registryId, repository, FIRST_PAGE, sort))), sort }),
    staleTime: 60_000,
    enabled,
    // rendered into the page's HTML by the server, in the sort of the page's address
    initialData: initialData?.sort === sort ? initialData : undefined,
    placeholderData: keepPreviousData,
  });
}

"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { api } from "@/components/api";

export interface RepositoryRow { name: string; tagCount?: number | null; lastPushedAt?: string; lastChangedAt?: string; largestSize?: number }

export interface RepositoryPage {
  repositories: RepositoryRow[];
  nextCursor?: string;
}

export function useRepositories(registryId: string, query: string) {
  return useInfiniteQuery({
    queryKey: ["repositories", { registryId, query }],
    queryFn: ({ pageParam }) =>
      api<RepositoryPage>(`/registries/${registryId}/repositories?${new URLSearchParams({ query, ...(pageParam ? { cursor: pageParam } : {}) })}`),
    initialPageParam: "",
    getNextPageParam: (last) => last.nextCursor,
  });
}

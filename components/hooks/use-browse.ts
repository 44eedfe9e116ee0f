"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { api } from "@/components/api";

export interface RepositoryPage {
  repositories: { name: string; tagCount?: number | null }[];
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

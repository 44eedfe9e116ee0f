"use client";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";

export function useTags(registryId: string, repository: string) {
  return useQuery({
    queryKey: ["tags", { registryId, repository }],
    queryFn: () => api<{ tags: { name: string }[] }>(`/registries/${registryId}/tags?${new URLSearchParams({ repository })}`),
  });
}

"use client";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";

export interface TagChangeView { id: string; at: string; digest: string | null; previousDigest: string | null; source: string; actor: string | null }

/** Every digest a tag has pointed to, newest first (for roll back). */
export function useTagHistory(registryId: string, repository: string, tag: string, enabled = true) {
  return useQuery({
    queryKey: ["tag-history", { registryId, repository, reference: tag }],
    queryFn: async () => (await api<{ changes: TagChangeView[] }>(`/registries/${registryId}/tag-history?${new URLSearchParams({ repository, tag })}`)).changes,
    enabled,
  });
}

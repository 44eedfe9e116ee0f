"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";

export interface DeletePreview { digest: string; tags: string[]; method: "digest" | "tag"; explanation: string }

/** What deleting a tag takes with it (dry run), and the delete itself, confirmed by the digest. */
export function useDeleteTag(registryId: string, repository: string, tag: string, onDeleted: () => void) {
  const q = new URLSearchParams({ repository, tag });
  const preview = useQuery({
    queryKey: ["delete-preview", { registryId, repository, tag }],
    queryFn: () => api<DeletePreview>(`/registries/${registryId}/tags?${q}&dryRun=1`, { method: "DELETE" }),
    staleTime: 0,
    gcTime: 0,
  });
  const remove = useMutation({
    mutationFn: (digest: string) => api(`/registries/${registryId}/tags?${q}&confirmDigest=${encodeURIComponent(digest)}`, { method: "DELETE" }),
    onSuccess: onDeleted,
  });
  return { preview, remove };
}

"use client";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";

export interface Protection { minRole: string; immutable: boolean; reasons: string[] }

/** The combined protection rules of one tag. */
export function useProtection(registryId: string, repository: string, tag: string, enabled = true) {
  return useQuery({
    queryKey: ["protection", { registryId, repository, reference: tag }],
    queryFn: () => api<Protection>(`/protection?${new URLSearchParams({ registryId, repository, tag })}`),
    enabled,
  });
}

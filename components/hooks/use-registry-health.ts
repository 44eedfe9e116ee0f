"use client";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";
import type { RegistryHealth } from "@/lib/schemas/browse";

export type { RegistryHealth };

/** One query per registry, so a slow or dead registry holds up only its own card. */
export function useRegistryHealth(registryId: string) {
  return useQuery({
    queryKey: ["registry-health", { registryId }],
    queryFn: () => api<RegistryHealth>(`/registries/${registryId}/health`),
    staleTime: 30_000,
    retry: false,
  });
}

"use client";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";

export interface RegistryHealth {
  reachable: boolean;
  authenticated: boolean;
  latencyMs: number;
  message?: string;
  repositories: number;
  tags: number | null;
}

/** One query per registry, so a slow or dead registry holds up only its own card. */
export function useRegistryHealth(registryId: string) {
  return useQuery({
    queryKey: ["registry-health", { registryId }],
    queryFn: () => api<RegistryHealth>(`/registries/${registryId}/health`),
    staleTime: 30_000,
    retry: false,
  });
}

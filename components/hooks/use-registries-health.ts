"use client";
import { useQueries } from "@tanstack/react-query";
import { api } from "@/components/api";
import type { RegistryHealth } from "@/lib/schemas/browse";

/** The health of many registries (the overview's summary); shares each card's query (same key). */
export function useRegistriesHealth(registryIds: string[]) {
  return useQueries({
    queries: registryIds.map((registryId) => ({
      queryKey: ["registry-health", { registryId }],
      queryFn: () => api<RegistryHealth>(`/registries/${registryId}/health`),
      staleTime: 30_000,
      retry: false,
    })),
  });
}

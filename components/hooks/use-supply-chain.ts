"use client";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";
import type { SupplyChainView } from "@/lib/schemas/signing";

/** Signature and SBOM badges of one manifest (a tag or a digest). */
export function useSupplyChain(registryId: string, repository: string, reference: string) {
  return useQuery({
    queryKey: ["supply-chain", { registryId, repository, reference }],
    queryFn: () => api<SupplyChainView>(`/registries/${registryId}/signatures?${new URLSearchParams({ repository, reference })}`),
    staleTime: 30_000,
  });
}

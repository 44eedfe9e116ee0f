"use client";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";
import type { KnownPlace, ReferrerView, WhereElse } from "@/lib/schemas/manifest-related";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface ManifestDetails {
  digest: string;
  mediaType: string;
  size: number;
  kind: "index" | "image" | "artifact";
  raw: string;
  config?: {
    architecture?: string;
    os?: string;
    created?: string;
    config?: { Env?: string[]; Labels?: Record<string, string>; Entrypoint?: string[]; Cmd?: string[]; WorkingDir?: string; User?: string };
    history?: { created?: string; created_by?: string; empty_layer?: boolean }[];
  };
  layers?: Descriptor[];
  children?: (Descriptor & { imageSize?: number })[];
  referrers?: Referrer[];
  referrersError?: string;
  whereElse?: WhereElse;
}

export type Referrer = ReferrerView;
export type { KnownPlace, WhereElse };

export function useManifest(registryId: string, repository: string, reference: string) {
  return useQuery({
    queryKey: ["manifest", { registryId, repository, reference }],
    queryFn: () => api<ManifestDetails>(`/registries/${registryId}/manifests?${new URLSearchParams({ repository, reference })}`),
    // a digest's content never changes
    staleTime: reference.startsWith("sha256:") ? Infinity : 15_000,
  });
}

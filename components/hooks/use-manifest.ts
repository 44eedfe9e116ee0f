"use client";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";

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
  children?: Descriptor[];
  referrers?: Referrer[];
  referrersError?: string;
  whereElse?: WhereElse;
}

export interface Referrer { digest: string; mediaType: string; size: number; artifactType?: string; label: string; annotations?: Record<string, string> }
export interface KnownPlace { registryId: string; registryName: string; repository: string; tag: string }
export interface WhereElse {
  tags: KnownPlace[];
  parents: { digest: string; platform?: string; tags: KnownPlace[] }[];
  children: { digest: string; platform?: string; tags: KnownPlace[] }[];
}

export function useManifest(registryId: string, repository: string, reference: string) {
  return useQuery({
    queryKey: ["manifest", { registryId, repository, reference }],
    queryFn: () => api<ManifestDetails>(`/registries/${registryId}/manifests?${new URLSearchParams({ repository, reference })}`),
    // a digest's content never changes
    staleTime: reference.startsWith("sha256:") ? Infinity : 15_000,
  });
}

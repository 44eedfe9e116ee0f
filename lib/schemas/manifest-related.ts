// What the manifests answer says beside the manifest: referrers and "where else".

/** A manifest whose `subject` is this digest: a signature, an SBOM, an attestation … */
export interface ReferrerView {
  digest: string;
  mediaType: string;
  size: number;
  artifactType?: string;
  /** the artifactType in plain words: "cosign signature", "SPDX SBOM", "in-toto attestation" … */
  label: string;
  annotations?: Record<string, string>;
}

export interface KnownPlace {
  registryId: string;
  registryName: string;
  repository: string;
  tag: string;
  /** how many tags of this registry and repository point at the digest (listed or not) */
  inRepository?: number;
}

export interface WhereElse {
  /**
   * tags Regatta knows (any registry, any repository) that point at this digest: up to 200, taken
   * round-robin over the repositories (each repository's first tag, then its second …)
   */
  tags: KnownPlace[];
  /** how many tags point at this digest in all */
  tagCount?: number;
  /** in how many registries */
  registryCount?: number;
  /** indexes Regatta knows in this repository that list this digest, and where they are tagged */
  parents: { digest: string; platform?: string; tags: KnownPlace[]; tagCount?: number; registryCount?: number }[];
  /** for an index: its children that are also tagged somewhere */
  children: { digest: string; platform?: string; tags: KnownPlace[]; tagCount?: number; registryCount?: number }[];
}

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

export interface KnownPlace { registryId: string; registryName: string; repository: string; tag: string }

export interface WhereElse {
  /** every tag Regatta knows (any registry, any repository) that points at this digest */
  tags: KnownPlace[];
  /** how many tags point at this digest in all (`tags` lists the first 200) */
  tagCount?: number;
  /** indexes Regatta knows in this repository that list this digest, and where they are tagged */
  parents: { digest: string; platform?: string; tags: KnownPlace[]; tagCount?: number }[];
  /** for an index: its children that are also tagged somewhere */
  children: { digest: string; platform?: string; tags: KnownPlace[]; tagCount?: number }[];
}

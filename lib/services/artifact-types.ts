// What a referrer is, in plain words, from its artifactType (or its config media type, for the
// artifacts written before OCI 1.1 put artifactType in the manifest).
const KNOWN: [RegExp, string][] = [
  [/^application\/vnd\.dev\.cosign\.artifact\.sig/, "cosign signature"],
  [/^application\/vnd\.dev\.cosign\.simplesigning/, "cosign signature"],
  [/^application\/vnd\.dev\.sigstore\.bundle/, "Sigstore bundle (signature or attestation)"],
  [/^application\/vnd\.cncf\.notary\.signature/, "Notary signature"],
  [/^application\/(vnd\.)?spdx|^text\/spdx/, "SPDX SBOM"],
  [/^application\/vnd\.cyclonedx/, "CycloneDX SBOM"],
  [/^application\/vnd\.syft/, "Syft SBOM"],
  [/^application\/vnd\.in-toto|^application\/vnd\.dsse\.envelope/, "in-toto attestation"],
  [/^application\/vnd\.dev\.cosign\.attestation/, "cosign attestation"],
  [/^application\/sarif\+json/, "SARIF scan report"],
  [/^application\/vnd\.(oci\.image|docker)\.(config|container)/, "image"],
  [/^application\/vnd\.cncf\.helm/, "Helm chart"],
];

export function artifactLabel(artifactType: string | undefined): string {
  if (!artifactType) return "artifact";
  return KNOWN.find(([re]) => re.test(artifactType))?.[1] ?? artifactType;
}

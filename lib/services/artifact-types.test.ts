import { describe, expect, it } from "vitest";
import { artifactLabel } from "./artifact-types";

describe("artifactLabel", () => {
  it.each([
    ["application/vnd.dev.cosign.artifact.sig.v1+json", "cosign signature"],
    ["application/vnd.dev.sigstore.bundle.v0.3+json", "Sigstore bundle (signature or attestation)"],
    ["application/vnd.cncf.notary.signature", "Notary signature"],
    ["application/spdx+json", "SPDX SBOM"],
    ["text/spdx", "SPDX SBOM"],
    ["application/vnd.cyclonedx+json", "CycloneDX SBOM"],
    ["application/vnd.in-toto+json", "in-toto attestation"],
    ["application/vnd.dsse.envelope.v1+json", "in-toto attestation"],
    ["application/sarif+json", "SARIF scan report"],
    ["application/vnd.example.thing.v1", "application/vnd.example.thing.v1"],
    [undefined, "artifact"],
  ])("%s → %s", (type, label) => {
    expect(artifactLabel(type)).toBe(label);
  });
});

import { z } from "zod";

/** A media type as an artifactType: type/subtype with the characters RFC 6838 allows (OCI image-spec). */
export const artifactType = z
  .string()
  .trim()
  .max(255, "artifactType is at most 255 characters")
  .regex(/^[A-Za-z0-9][\w!#$&^.+-]{0,126}\/[A-Za-z0-9][\w!#$&^.+-]{0,126}$/, "artifactType must be a media type such as application/spdx+json");

export const signingKeySchema = z
  .object({
    name: z.string().trim().min(1, "name is required").max(60).regex(/^[\w .@-]+$/, "name may contain letters, digits, space, . _ @ -"),
    publicKeyPem: z.string().max(16 * 1024, "publicKeyPem is at most 16 KiB"),
  })
  .strict();

export interface SigningKeyView { id: string; name: string; algorithm: string; fingerprint: string; createdBy: string; createdAt: string }

/** A badge on the tag page. SBOM: verified never applies (present / missing). */
export interface BadgeView {
  state: "verified" | "unverified" | "missing" | "present" | "error";
  /** the signing key's name when verified; the media types found for an SBOM */
  detail?: string;
  reason?: string;
}

export interface GateView {
  /** what the protection rules of the target require, in words */
  requires: string[];
  /** what is missing for those requirements; empty = the gate passes */
  missing: string[];
}

export interface SupplyChainView {
  digest: string;
  signature: BadgeView;
  sbom: BadgeView;
  referrers: { artifactType: string | null; digest: string }[];
}

/** Known SBOM artifact types (SPDX, CycloneDX, and cosign's attach-sbom types). */
export const SBOM_TYPES = [
  "application/spdx+json", "text/spdx", "text/spdx+json", "application/vnd.cyclonedx+json", "application/vnd.cyclonedx+xml",
  "application/vnd.cyclonedx", "application/vnd.syft+json",
];

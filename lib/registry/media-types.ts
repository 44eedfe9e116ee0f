// Manifest and blob media types (OCI image-spec, Docker image manifest v2 schema 2).

export const DOCKER_MANIFEST_SCHEMA2 = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const DOCKER_MANIFEST_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";
export const DOCKER_MANIFEST_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
/** Written by old ORAS versions; removed from image-spec 1.1 final but still found in registries. */
export const OCI_ARTIFACT_MANIFEST = "application/vnd.oci.artifact.manifest.v1+json";

export const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
export const DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";
export const DOCKER_FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_EMPTY = "application/vnd.oci.empty.v1+json";
export const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
export const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
export const OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
export const OCI_LAYER_NONDISTRIBUTABLE = "application/vnd.oci.image.layer.nondistributable.v1.tar";
export const OCI_LAYER_NONDISTRIBUTABLE_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";

/** Every manifest type we understand, sent on GET and HEAD so registries never convert content. */
export const MANIFEST_ACCEPT: readonly string[] = [
  OCI_INDEX,
  OCI_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST_SCHEMA2,
  OCI_ARTIFACT_MANIFEST,
];

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

/** A single-image (or artifact) manifest, as opposed to an index. */
export function isImageManifestMediaType(mediaType: string | undefined): boolean {
  return mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST_SCHEMA2 || mediaType === OCI_ARTIFACT_MANIFEST;
}

export function isManifestMediaType(mediaType: string | undefined): boolean {
  return (
    isIndexMediaType(mediaType) ||
    isImageManifestMediaType(mediaType) ||
    mediaType === DOCKER_MANIFEST_SCHEMA1 ||
    mediaType === DOCKER_MANIFEST_SCHEMA1_SIGNED
  );
}

/** Layers a registry must not be asked to store (Windows base layers fetched from `urls`). */
export function isNonDistributable(mediaType: string | undefined): boolean {
  return (
    mediaType === DOCKER_FOREIGN_LAYER ||
    mediaType === OCI_LAYER_NONDISTRIBUTABLE ||
    mediaType === OCI_LAYER_NONDISTRIBUTABLE_GZIP ||
    mediaType === `${OCI_LAYER_NONDISTRIBUTABLE}+zstd`
  );
}

/** "application/vnd.oci.image.index.v1+json; charset=utf-8" → the bare type, lowercased. */
export function stripParameters(contentType: string | null | undefined): string | undefined {
  const bare = contentType?.split(";")[0]?.trim().toLowerCase();
  return bare ? bare : undefined;
}

/**
 * The media type of manifest bytes. A manifest Content-Type is trusted first; umoci's OCI
 * manifests carry no `mediaType` field, so the body's field and then its shape decide next.
 * Returns undefined when nothing identifies the bytes as a manifest.
 */
export function detectMediaType(bytes: Uint8Array, contentTypeHeader: string | null | undefined): string | undefined {
  const header = stripParameters(contentTypeHeader);
  if (isManifestMediaType(header)) return header;
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const doc = body as Record<string, unknown>;
  if (typeof doc.mediaType === "string" && doc.mediaType !== "") return doc.mediaType;
  if (doc.schemaVersion === 1) return DOCKER_MANIFEST_SCHEMA1;
  if (Array.isArray(doc.manifests)) return OCI_INDEX;
  if (Array.isArray(doc.layers) || (typeof doc.config === "object" && doc.config !== null)) return OCI_MANIFEST;
  if (Array.isArray(doc.blobs)) return OCI_ARTIFACT_MANIFEST;
  return undefined;
}

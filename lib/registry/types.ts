// Shapes returned by the client (OCI image-spec descriptor, index and manifest fields we use).

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  "os.version"?: string;
  "os.features"?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: Platform;
  urls?: string[];
  data?: string;
}

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

export interface Manifest extends ManifestHead {
  /** The exact bytes served: hash and re-upload these, never re-serialised JSON. */
  bytes: Uint8Array;
  json: unknown;
}

export interface PingResult {
  ok: boolean;
  status: number;
  authScheme?: "none" | "basic" | "bearer";
  message?: string;
}

export interface PageCursor {
  n?: number;
  last?: string;
}

export interface CatalogPage {
  repositories: string[];
  /** Pass back as catalog(next) for the following page; absent on the last page. */
  next?: PageCursor;
}

export interface TagsPage {
  name: string;
  tags: string[];
  next?: PageCursor;
}

export interface BlobStream {
  /** Content-Length of the answer, or -1 when the registry sent none. */
  size: number;
  /** Verified against the digest while it flows: errors with DIGEST_MISMATCH at the end if wrong. */
  stream: ReadableStream<Uint8Array>;
}

export type MountResult = "mounted" | "upload-started";

export interface PutManifestResult {
  digest: string;
  /** OCI-Subject answer header: the registry maintains referrers for this subject itself. */
  subject?: string;
}

/** The descriptors a manifest or index points at (children, config, layers, blobs, subject). */
export interface ManifestLinks {
  manifests: Descriptor[];
  config?: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
}

function isDescriptor(x: unknown): x is Descriptor {
  if (typeof x !== "object" || x === null) return false;
  const d = x as Record<string, unknown>;
  return typeof d.digest === "string" && typeof d.size === "number" && (d.mediaType === undefined || typeof d.mediaType === "string");
}

function descriptors(x: unknown): Descriptor[] {
  return Array.isArray(x) ? x.filter(isDescriptor) : [];
}

/** Reads the descriptor lists of an image manifest, an index or an (old ORAS) artifact manifest. */
export function manifestLinks(json: unknown): ManifestLinks {
  const doc = (typeof json === "object" && json !== null ? json : {}) as Record<string, unknown>;
  return {
    manifests: descriptors(doc.manifests),
    config: isDescriptor(doc.config) ? doc.config : undefined,
    layers: [...descriptors(doc.layers), ...descriptors(doc.blobs)],
    subject: isDescriptor(doc.subject) ? doc.subject : undefined,
  };
}

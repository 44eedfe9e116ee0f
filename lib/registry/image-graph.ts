// Walks an image (or index) down to its blobs: the reading half of a copy.
import type { RegistryClient } from "./client";
import { isNonDistributable, OCI_INDEX } from "./media-types";
import { mapLimit } from "@/lib/concurrency";
import { manifestLinks, type Descriptor, type Manifest } from "./types";

export interface ImageGraph {
  /** Every manifest below the root, children before their parents (push order), root excluded. */
  children: Manifest[];
  /** Unique blobs (configs and layers) by digest, in discovery order. */
  blobs: Descriptor[];
}

/** Reads every child manifest by digest (bounded parallelism) and gathers the blobs they need. */
export async function walkImage(client: RegistryClient, repository: string, root: Manifest, concurrency: number, signal?: AbortSignal): Promise<ImageGraph> {
  const children: Manifest[] = [];
  const blobs = new Map<string, Descriptor>();
  const visited = new Set<string>([root.digest]);

  const visit = async (manifest: Manifest): Promise<void> => {
    const links = manifestLinks(manifest.json);
    for (const blob of [...(links.config ? [links.config] : []), ...links.layers]) {
      // Foreign layers live at their `urls`; registries must not be asked to store them.
      if (isNonDistributable(blob.mediaType) || blobs.has(blob.digest)) continue;
      blobs.set(blob.digest, blob);
    }
    const fresh = links.manifests.filter((d) => !visited.has(d.digest));
    for (const d of fresh) visited.add(d.digest);
    const fetched = await mapLimit(fresh, concurrency, (d) => client.getManifest(repository, d.digest, signal));
    for (const child of fetched) {
      await visit(child);
      children.push(child);
    }
  };
  await visit(root);
  return { children, blobs: [...blobs.values()] };
}

/** An OCI index in the referrers format, for the `sha256-<hex>` fallback tag. */
export function referrersIndex(manifests: Descriptor[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
}

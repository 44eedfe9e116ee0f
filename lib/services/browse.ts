import "server-only";
// Browsing one registry: repositories, tags, manifests. Registry errors travel up as
// RegistryError and become 502/404/429 answers with the registry's own code and message.
import { clientFor } from "@/lib/providers/generic";
import { isIndexMediaType, validateRepository, type Descriptor, type RegistryClient } from "@/lib/registry";
import { registryConnection } from "./registries";

const clients = new Map<string, { updatedAt: string; client: RegistryClient }>();

// one client per registry and process, so tokens are cached across requests; a changed
// connection (new credentials or endpoint) makes a new one
async function client(registryId: string): Promise<RegistryClient> {
  const conn = await registryConnection(registryId);
  const cached = clients.get(registryId);
  if (cached && cached.updatedAt === conn.updatedAt) return cached.client;
  const c = clientFor(conn);
  clients.set(registryId, { updatedAt: conn.updatedAt, client: c });
  return c;
}

export interface RepositoryPage {
  repositories: { name: string }[];
  nextCursor?: string;
}

export async function listRepositories(registryId: string, opts: { query?: string; cursor?: string; pageSize?: number } = {}): Promise<RepositoryPage> {
  const c = await client(registryId);
  const pageSize = Math.min(Math.max(opts.pageSize ?? 200, 1), 1000);
  const q = opts.query?.trim().toLowerCase();
  const repositories: string[] = [];
  let cursor = opts.cursor ? { n: pageSize, last: opts.cursor } : { n: pageSize };
  // a filter may need several catalog pages to fill one page of matches
  for (let pages = 0; pages < 50; pages++) {
    const page = await c.catalog(cursor);
    repositories.push(...page.repositories.filter((r) => !q || r.toLowerCase().includes(q)));
    if (!page.next || repositories.length >= pageSize) {
      const last = page.repositories.at(-1);
      return { repositories: repositories.map((name) => ({ name })), nextCursor: page.next && last ? last : undefined };
    }
    cursor = { n: pageSize, last: page.next.last ?? page.repositories.at(-1)! };
  }
  return { repositories: repositories.map((name) => ({ name })), nextCursor: cursor.last };
}

export async function listTags(registryId: string, repository: string): Promise<{ tags: { name: string }[] }> {
  validateRepository(repository);
  const tags = await (await client(registryId)).listTags(repository);
  return { tags: [...tags].sort(compareTags).map((name) => ({ name })) };
}

// versions in version order (1.10 after 1.9), everything else by name
function compareTags(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

interface ImageConfig {
  architecture?: string;
  os?: string;
  created?: string;
  config?: { Env?: string[]; Labels?: Record<string, string>; Entrypoint?: string[]; Cmd?: string[]; WorkingDir?: string; User?: string };
  history?: { created?: string; created_by?: string; empty_layer?: boolean; comment?: string }[];
}

export interface ManifestDetails {
  digest: string;
  mediaType: string;
  size: number;
  kind: "index" | "image" | "artifact";
  manifest: unknown;
  raw: string;
  config?: ImageConfig;
  layers?: Descriptor[];
  children?: Descriptor[];
}

export async function getManifest(registryId: string, repository: string, reference: string): Promise<ManifestDetails> {
  validateRepository(repository);
  const c = await client(registryId);
  const m = await c.getManifest(repository, reference);
  const json = m.json as { config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[]; artifactType?: string };
  const raw = Buffer.from(m.bytes).toString("utf8");
  if (isIndexMediaType(m.mediaType)) {
    return { digest: m.digest, mediaType: m.mediaType, size: m.size, kind: "index", manifest: json, raw, children: json.manifests ?? [] };
  }
  const isImage = json.config?.mediaType?.includes("image.config") || json.config?.mediaType?.includes("container.image");
  let config: ImageConfig | undefined;
  if (isImage && json.config && json.config.size < 4 * 1024 * 1024) {
    const blob = await c.getBlob(repository, json.config.digest);
    config = JSON.parse(await new Response(blob.stream).text());
  }
  return { digest: m.digest, mediaType: m.mediaType, size: m.size, kind: isImage ? "image" : "artifact", manifest: json, raw, config, layers: json.layers ?? [] };
}

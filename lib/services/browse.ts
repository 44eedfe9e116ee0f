import "server-only";
// Browsing one registry: repositories, tags, manifests. Registry errors travel up as
// RegistryError and become 502/404/429 answers with the registry's own code and message.
import { clientFor } from "@/lib/providers/generic";
import { isIndexMediaType, validateRepository, type Descriptor, type RegistryClient } from "@/lib/registry";
import { db } from "@/lib/db";
import type { TagKind, TagRow, TagsAnswer } from "@/lib/schemas/browse";
import { registryConnection } from "./registries";

const clients = new Map<string, { updatedAt: string; client: RegistryClient }>();

// one client per registry and process, so tokens are cached across requests; a changed
// connection (new credentials or endpoint) makes a new one
export async function client(registryId: string): Promise<RegistryClient> {
  const conn = await registryConnection(registryId);
  const cached = clients.get(registryId);
  if (cached && cached.updatedAt === conn.updatedAt) return cached.client;
  const c = clientFor(conn);
  clients.set(registryId, { updatedAt: conn.updatedAt, client: c });
  return c;
}

export interface RepositoryPage {
  repositories: { name: string; tagCount?: number }[];
  nextCursor?: string;
}

export async function listRepositories(registryId: string, opts: { query?: string; cursor?: string; pageSize?: number } = {}): Promise<RepositoryPage> {
  const page = await catalogPage(registryId, opts);
  const names = page.repositories.map((r) => r.name);
  if (!names.length) return page;
  const now = new Date();
  await db.repositoryRecord.createMany({ data: names.map((name) => ({ registryId, name, seenAt: now })), skipDuplicates: true });
  await db.repositoryRecord.updateMany({ where: { registryId, name: { in: names } }, data: { seenAt: now } });
  const known = new Map((await db.repositoryRecord.findMany({ where: { registryId, name: { in: names } }, select: { name: true, tagCount: true } })).map((r) => [r.name, r.tagCount]));
  return { ...page, repositories: names.map((name) => ({ name, tagCount: known.get(name) ?? undefined })) };
}

async function catalogPage(registryId: string, opts: { query?: string; cursor?: string; pageSize?: number }): Promise<RepositoryPage> {
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

interface JoinedRow {
  tag: string;
  digest: string;
  changedAt: Date;
  checkedAt: Date;
  pushedAt: Date | null;
  pushedBy: string | null;
  mediaType: string | null;
  kind: string | null;
  totalSize: bigint | null;
  platforms: string[] | null;
  createdAt: Date | null;
  artifactType: string | null;
}

/** What PostgreSQL knows about the tags of one repository: TagRecord joined with ManifestInfo. */
export async function knownTags(registryId: string, repository: string, tags?: string[]): Promise<Map<string, TagRow>> {
  const rows = tags
    ? await db.$queryRaw<JoinedRow[]>`
        SELECT t."tag", t."digest", t."changedAt", t."checkedAt", t."pushedAt", t."pushedBy",
               m."mediaType", m."kind", m."totalSize", m."platforms", m."createdAt", m."artifactType"
        FROM "TagRecord" t LEFT JOIN "ManifestInfo" m ON m."digest" = t."digest"
        WHERE t."registryId" = ${registryId}::uuid AND t."repository" = ${repository} AND t."tag" = ANY(${tags})`
    : await db.$queryRaw<JoinedRow[]>`
        SELECT t."tag", t."digest", t."changedAt", t."checkedAt", t."pushedAt", t."pushedBy",
               m."mediaType", m."kind", m."totalSize", m."platforms", m."createdAt", m."artifactType"
        FROM "TagRecord" t LEFT JOIN "ManifestInfo" m ON m."digest" = t."digest"
        WHERE t."registryId" = ${registryId}::uuid AND t."repository" = ${repository}`;
  return new Map(rows.map((r) => [r.tag, toRow(r)]));
}

function toRow(r: JoinedRow): TagRow {
  const row: TagRow = { name: r.tag, digest: r.digest, changedAt: r.changedAt.toISOString(), checkedAt: r.checkedAt.toISOString() };
  if (r.pushedAt) row.pushedAt = r.pushedAt.toISOString();
  if (r.pushedBy) row.pushedBy = r.pushedBy;
  if (r.kind) {
    row.mediaType = r.mediaType ?? undefined;
    row.kind = r.kind as TagKind;
    row.platforms = r.platforms ?? [];
    if (r.totalSize !== null) row.size = Number(r.totalSize);
    if (r.createdAt) row.createdAt = r.createdAt.toISOString();
    if (r.artifactType) row.artifactType = r.artifactType;
  }
  return row;
}

/**
 * The tag table's first answer: every name from the registry's tag list, with what PostgreSQL
 * already knows joined in. No manifest request: the details endpoint fills in the rest.
 */
export async function listTags(registryId: string, repository: string): Promise<TagsAnswer> {
  validateRepository(repository);
  const c = await client(registryId);
  // the registry and the database answer in parallel
  const [names, known] = await Promise.all([c.listTags(repository), knownTags(registryId, repository)]);
  const at = new Date();
  void recordRepository(registryId, repository, names.length, at).catch((e) => console.error(`[regatta] recording repository ${repository}:`, e instanceof Error ? e.message : e));
  return { tags: [...names].sort(compareTags).map((name) => known.get(name) ?? { name }), at: at.toISOString() };
}

async function recordRepository(registryId: string, name: string, tagCount: number, seenAt: Date) {
  await db.repositoryRecord.upsert({
    where: { registryId_name: { registryId, name } },
    create: { registryId, name, tagCount, seenAt },
    update: { tagCount, seenAt },
  });
}

// versions in version order (1.10 after 1.9), everything else by name
export function compareTags(a: string, b: string): number {
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

export interface RegistryHealth {
  reachable: boolean;
  authenticated: boolean;
  latencyMs: number;
  message?: string;
  /** from RepositoryRecord: what browsing has seen so far */
  repositories: number;
  tags: number | null;
}

/** A ping (GET /v2/ with credentials) and what PostgreSQL knows of the registry's contents. */
export async function registryHealth(registryId: string): Promise<RegistryHealth> {
  const c = await client(registryId);
  const timedPing = async () => {
    const t0 = performance.now();
    const result = await c.ping(AbortSignal.timeout(10_000));
    return { result, ms: performance.now() - t0 };
  };
  const [{ result: ping, ms }, counts] = await Promise.all([
    timedPing(),
    db.repositoryRecord.aggregate({ where: { registryId }, _count: { _all: true }, _sum: { tagCount: true } }),
  ]);
  const latencyMs = Math.round(ms);
  const reachable = ping.status > 0;
  return {
    reachable,
    authenticated: ping.ok,
    latencyMs,
    ...(ping.ok ? {} : { message: ping.message ?? `the registry answered ${ping.status}` }),
    repositories: counts._count._all,
    tags: counts._sum.tagCount ?? null,
  };
}

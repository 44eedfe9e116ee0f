import "server-only";
// Browsing one registry: repositories, tags, manifests. Registry errors travel up as
// RegistryError and become 502/404/429 answers with the registry's own code and message.
import { isIndexMediaType, validateRepository, type Descriptor, type RegistryClient } from "@/lib/registry";
import { artifactLabel } from "./artifact-types";
import type { KnownPlace, ReferrerView, WhereElse } from "@/lib/schemas/manifest-related";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import type { RegistryHealth, TagRow, TagsAnswer } from "@/lib/schemas/browse";
export type { RegistryHealth };
import { registryClient as client, registryProvider, registryWithClient } from "./clients";

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
  const provider = await registryProvider(registryId);
  const pageSize = Math.min(Math.max(opts.pageSize ?? 200, 1), 1000);
  // vendors without a usable _catalog list repositories through their own API
  if (provider.listRepositories) return provider.listRepositories({ cursor: opts.cursor, pageSize, query: opts.query?.trim() || undefined });
  const c = provider.client;
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

interface ManifestRow {
  digest: string;
  mediaType: string;
  kind: string;
  totalSize: bigint | null;
  platforms: string[];
  createdAt: Date | null;
  artifactType: string | null;
}

/** What PostgreSQL knows about the tags of one repository: TagRecord joined with ManifestInfo. */
export async function knownTags(registryId: string, repository: string, tags?: string[]): Promise<Map<string, TagRow>> {
  const where = tags
    ? Prisma.sql`WHERE "registryId" = ${registryId}::uuid AND "repository" = ${repository} AND "tag" = ANY(${tags})`
    : Prisma.sql`WHERE "registryId" = ${registryId}::uuid AND "repository" = ${repository}`;
  // Tag rows come as one JSON text of compact arrays (10,000 tags: one value, not 60,000 cells
  // through the driver); each distinct manifest is read once, not once per tag pointing at it.
  const [[{ rows }], manifests] = await Promise.all([
    db.$queryRaw<{ rows: string }[]>`
      SELECT coalesce(json_agg(json_build_array("tag", "digest",
        floor(extract(epoch from "changedAt") * 1000), floor(extract(epoch from "checkedAt") * 1000),
        floor(extract(epoch from "pushedAt") * 1000), "pushedBy"))::text, '[]') AS rows
      FROM "TagRecord" ${where}`,
    db.$queryRaw<ManifestRow[]>`
      SELECT "digest", "mediaType", "kind", "totalSize", "platforms", "createdAt", "artifactType" FROM "ManifestInfo"
      WHERE "digest" IN (SELECT DISTINCT "digest" FROM "TagRecord" ${where})`,
  ]);
  const details = new Map(
    manifests.map((m) => {
      const d: Partial<TagRow> = { mediaType: m.mediaType, kind: m.kind as TagRow["kind"], platforms: m.platforms };
      if (m.totalSize !== null) d.size = Number(m.totalSize);
      if (m.createdAt) d.createdAt = m.createdAt.toISOString();
      if (m.artifactType) d.artifactType = m.artifactType;
      return [m.digest, d];
    }),
  );
  const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());
  const out = new Map<string, TagRow>();
  for (const [name, digest, changedAt, checkedAt, pushedAt, pushedBy] of JSON.parse(rows) as [string, string, number, number, number | null, string | null][]) {
    const row: TagRow = { name, digest, ...details.get(digest), changedAt: iso(changedAt), checkedAt: iso(checkedAt) };
    if (pushedAt !== null) row.pushedAt = iso(pushedAt);
    if (pushedBy) row.pushedBy = pushedBy;
    out.set(name, row);
  }
  return out;
}

/**
 * The tag table's first answer: every name from the registry's tag list, with what PostgreSQL
 * already knows joined in. No manifest request: the details endpoint fills in the rest.
 */
export async function listTags(registryId: string, repository: string): Promise<TagsAnswer> {
  return (await listTagsTimed(registryId, repository)).answer;
}

function registryTagList(registryId: string, repository: string): Promise<string[]> {
  return client(registryId).then((c) => c.listTags(repository));
}

/**
 * listTags with the time each part took, for a Server-Timing header. With `limit`, only the
 * first tags in the table's order (and the total): PostgreSQL is then asked about those alone.
 */
export async function listTagsTimed(registryId: string, repository: string, limit?: number): Promise<{ answer: TagsAnswer; timing: Record<string, number> }> {
  validateRepository(repository);
  const t0 = performance.now();
  const ms = <T,>(p: Promise<T>) => p.then((v) => [v, performance.now() - t0] as const);
  // the registry and the database answer in parallel (for a first page, one after the other)
  const sortedNames = (names: string[]) => [...names].sort(compareTags);
  const [[sorted, registryMs], [known, dbMs]] = limit
    ? await ms(registryTagList(registryId, repository).then(sortedNames)).then(async (listed) => [listed, await ms(knownTags(registryId, repository, listed[0].slice(0, limit)))] as const)
    : await Promise.all([ms(registryTagList(registryId, repository).then(sortedNames)), ms(knownTags(registryId, repository))]);
  const at = new Date();
  void recordRepository(registryId, repository, sorted.length, at).catch((e) => console.error(`[regatta] recording repository ${repository}:`, e instanceof Error ? e.message : e));
  const t1 = performance.now();
  const tags = (limit ? sorted.slice(0, limit) : sorted).map((name) => known.get(name) ?? { name });
  const answer: TagsAnswer = { tags, at: at.toISOString(), ...(limit ? { total: sorted.length } : {}) };
  return { answer, timing: { registry: registryMs, db: dbMs, join: performance.now() - t1 } };
}

async function recordRepository(registryId: string, name: string, tagCount: number, seenAt: Date) {
  await db.repositoryRecord.upsert({
    where: { registryId_name: { registryId, name } },
    create: { registryId, name, tagCount, seenAt },
    update: { tagCount, seenAt },
  });
}

// versions in version order (1.10 after 1.9), everything else by name; one Collator, because
// localeCompare with options builds one per call (10,000 tags: 500 ms instead of 20 ms)
const collator = new Intl.Collator("en", { numeric: true });
export const compareTags = collator.compare;

interface ImageConfig {
  architecture?: string;
  os?: string;
  created?: string;
  config?: { Env?: string[]; Labels?: Record<string, string>; Entrypoint?: string[]; Cmd?: string[]; WorkingDir?: string; User?: string };
  history?: { created?: string; created_by?: string; empty_layer?: boolean; comment?: string }[];
}

export type { KnownPlace, ReferrerView, WhereElse };

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
  /** signatures, SBOMs, attestations that name this digest as their subject */
  referrers?: ReferrerView[];
  /** the registry's message when the referrers could not be listed (the rest of the answer stands) */
  referrersError?: string;
  whereElse: WhereElse;
}

export async function getManifest(registryId: string, repository: string, reference: string): Promise<ManifestDetails> {
  validateRepository(repository);
  const { client: c, registry } = await registryWithClient(registryId);
  const m = await c.getManifest(repository, reference);
  const json = m.json as { config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[]; artifactType?: string };
  const raw = Buffer.from(m.bytes).toString("utf8");
  // Docker Hub counts every manifest GET against the pull limit: no index reads for "where else"
  const readIndexes = registry.kind !== "DOCKERHUB";
  // referrers and "where else" read other things than the manifest: in parallel, never fatal
  const extras = Promise.all([manifestReferrers(c, repository, m.digest), whereElse(c, registryId, repository, m.digest, isIndexMediaType(m.mediaType) ? (json.manifests ?? []) : [], readIndexes)]).then(
    ([r, w]) => ({ ...r, whereElse: w }),
  );
  if (isIndexMediaType(m.mediaType)) {
    return { digest: m.digest, mediaType: m.mediaType, size: m.size, kind: "index", manifest: json, raw, children: json.manifests ?? [], ...(await extras) };
  }
  const isImage = json.config?.mediaType?.includes("image.config") || json.config?.mediaType?.includes("container.image");
  let config: ImageConfig | undefined;
  if (isImage && json.config && json.config.size < 4 * 1024 * 1024) {
    const blob = await c.getBlob(repository, json.config.digest);
    config = JSON.parse(await new Response(blob.stream).text());
  }
  return { digest: m.digest, mediaType: m.mediaType, size: m.size, kind: isImage ? "image" : "artifact", manifest: json, raw, config, layers: json.layers ?? [], ...(await extras) };
}

async function manifestReferrers(c: RegistryClient, repository: string, digest: string): Promise<Pick<ManifestDetails, "referrers" | "referrersError">> {
  try {
    const list = await c.referrers(repository, digest, undefined, AbortSignal.timeout(10_000));
    return {
      referrers: list.map((d) => ({
        digest: d.digest, mediaType: d.mediaType, size: d.size, label: artifactLabel(d.artifactType),
        ...(d.artifactType ? { artifactType: d.artifactType } : {}),
        ...(d.annotations && Object.keys(d.annotations).length ? { annotations: d.annotations } : {}),
      })),
    };
  } catch (e) {
    return { referrersError: e instanceof Error ? e.message : String(e) };
  }
}

/** Index digest → its children (digest, platform). Content-addressed: kept for the process's life. */
const indexChildren = new Map<string, { digest: string; platform?: string }[]>();
const MAX_INDEXES_READ = 25;

const platformOf = (d: Descriptor) => (d.platform ? [d.platform.os, d.platform.architecture, d.platform.variant].filter(Boolean).join("/") : undefined);

async function placesOf(digests: string[]): Promise<Map<string, KnownPlace[]>> {
  const out = new Map<string, KnownPlace[]>();
  if (!digests.length) return out;
  const rows = await db.$queryRaw<(KnownPlace & { digest: string })[]>`
    SELECT t."digest", t."registryId"::text AS "registryId", g."name" AS "registryName", t."repository", t."tag"
    FROM "TagRecord" t JOIN "Registry" g ON g."id" = t."registryId"
    WHERE t."digest" = ANY(${digests})
    ORDER BY g."name", t."repository", t."tag"
    LIMIT 500`;
  for (const { digest, ...place } of rows) out.set(digest, [...(out.get(digest) ?? []), place]);
  return out;
}

async function whereElse(c: RegistryClient, registryId: string, repository: string, digest: string, children: Descriptor[], readIndexes: boolean): Promise<WhereElse> {
  try {
    // indexes tagged in this repository (an index lists only manifests of its own repository)
    const indexes = await db.$queryRaw<{ digest: string }[]>`
      SELECT DISTINCT t."digest" FROM "TagRecord" t JOIN "ManifestInfo" m ON m."digest" = t."digest"
      WHERE t."registryId" = ${registryId}::uuid AND t."repository" = ${repository} AND m."kind" = 'index' AND t."digest" <> ${digest}
      LIMIT ${MAX_INDEXES_READ}`;
    const parents: { digest: string; platform?: string }[] = [];
    await Promise.all(
      indexes.map(async ({ digest: index }) => {
        let list = indexChildren.get(index);
        if (!list) {
          if (!readIndexes) return;
          const im = await c.getManifest(repository, index).catch(() => null);
          if (!im) return;
          list = ((im.json as { manifests?: Descriptor[] }).manifests ?? []).map((d) => ({ digest: d.digest, platform: platformOf(d) }));
          if (indexChildren.size > 5000) indexChildren.clear();
          indexChildren.set(index, list);
        }
        const hit = list.find((d) => d.digest === digest);
        if (hit) parents.push({ digest: index, platform: hit.platform });
      }),
    );
    const places = await placesOf([digest, ...parents.map((p) => p.digest), ...children.map((d) => d.digest)]);
    return {
      tags: places.get(digest) ?? [],
      parents: parents.sort((a, b) => a.digest.localeCompare(b.digest)).map((p) => ({ ...p, tags: places.get(p.digest) ?? [] })),
      children: children.flatMap((d) => (places.get(d.digest) ? [{ digest: d.digest, platform: platformOf(d), tags: places.get(d.digest)! }] : [])),
    };
  } catch (e) {
    console.error(`[regatta] where else for ${repository}@${digest}:`, e instanceof Error ? e.message : e);
    return { tags: await placesOf([digest]).then((p) => p.get(digest) ?? []).catch(() => []), parents: [], children: [] };
  }
}

/** A ping (GET /v2/ with credentials) and what PostgreSQL knows of the registry's contents. */
export async function registryHealth(registryId: string): Promise<RegistryHealth> {
  const provider = await registryProvider(registryId);
  const c = provider.client;
  // the budget and the expiry are extras: a failure there must not hide the ping's answer
  const extra = <T,>(p: Promise<T> | undefined) => (p ?? Promise.resolve(null)).catch(() => null);
  const timedPing = async () => {
    const t0 = performance.now();
    const result = await c.ping(AbortSignal.timeout(10_000));
    return { result, ms: performance.now() - t0 };
  };
  const [{ result: ping, ms }, counts, rateLimit, credentialExpiresAt] = await Promise.all([
    timedPing(),
    db.repositoryRecord.aggregate({ where: { registryId }, _count: { _all: true }, _sum: { tagCount: true } }),
    extra(provider.rateLimit?.()),
    extra(provider.credentialExpiry?.()),
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
    ...(rateLimit ? { rateLimit } : {}),
    ...(credentialExpiresAt ? { credentialExpiresAt } : {}),
  };
}

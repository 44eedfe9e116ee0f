import "server-only";
// Browsing one registry: repositories, tags, manifests. Registry errors travel up as
// RegistryError and become 502/404/429 answers with the registry's own code and message.
import { LRUCache } from "lru-cache";
import { SharedFlights } from "@/lib/concurrency";
import { isIndexMediaType, validateRepository, type Descriptor, type RegistryClient } from "@/lib/registry";
import { artifactLabel } from "./artifact-types";
import type { KnownPlace, ReferrerView, WhereElse } from "@/lib/schemas/manifest-related";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import type { RegistryHealth, TagRow, TagsAnswer } from "@/lib/schemas/browse";
import { isDefaultSort, sortTags, type Sort } from "@/lib/tag-sort";
export type { RegistryHealth };
import { registryClient as client, registryProvider, registryWithClient } from "./clients";
import { processWide } from "@/lib/process-wide";

export interface RepositoryPage {
  repositories: RepositorySummary[];
  nextCursor?: string;
}

/** A repository as the list shows it: what the registry's listing and Regatta's index know. */
export interface RepositorySummary {
  name: string;
  tagCount?: number;
  /** newest push time a registry or event reported for any of its tags */
  lastPushedAt?: string;
  /** newest time Regatta saw one of its tags change (when no push time is known) */
  lastChangedAt?: string;
  /** compressed size of its largest image (config + layers), where the index knows it */
  largestSize?: number;
}

/** `visible` (lib/auth/access.ts) leaves out repositories outside the asker's grants' globs. */
export async function listRepositories(registryId: string, opts: { query?: string; cursor?: string; pageSize?: number; visible?: (repository: string) => boolean } = {}): Promise<RepositoryPage> {
  const all = await catalogPage(registryId, opts);
  const page = opts.visible ? { ...all, repositories: all.repositories.filter((r) => opts.visible!(r.name)) } : all;
  const names = page.repositories.map((r) => r.name);
  if (!names.length) return page;
  const now = new Date();
  await db.repositoryRecord.createMany({ data: names.map((name) => ({ registryId, name, seenAt: now })), skipDuplicates: true });
  await db.repositoryRecord.updateMany({ where: { registryId, name: { in: names } }, data: { seenAt: now } });
  const [records, index] = await Promise.all([
    db.repositoryRecord.findMany({ where: { registryId, name: { in: names } }, select: { name: true, tagCount: true } }),
    indexedRepositories(registryId, names),
  ]);
  const known = new Map(records.map((r) => [r.name, r.tagCount]));
  return { ...page, repositories: names.map((name) => ({ name, ...index.get(name), tagCount: known.get(name) ?? index.get(name)?.tagCount })) };
}

/** Per repository, from the tag index: tags seen, newest push and change, largest image. One query per page. */
async function indexedRepositories(registryId: string, names: string[]): Promise<Map<string, Omit<RepositorySummary, "name">>> {
  const rows = await db.$queryRaw<{ name: string; tags: number; pushed: Date | null; changed: Date | null; largest: bigint | null }[]>`
    SELECT t."repository" AS name, count(*)::int AS tags, max(t."pushedAt") AS pushed, max(t."changedAt") AS changed, max(m."totalSize") AS largest
    FROM "TagRecord" t LEFT JOIN "ManifestInfo" m ON m."digest" = t."digest"
    WHERE t."registryId" = ${registryId}::uuid AND t."repository" = ANY(${names})
    GROUP BY t."repository"`;
  return new Map(rows.map((r) => [r.name, {
    tagCount: r.tags,
    ...(r.pushed ? { lastPushedAt: r.pushed.toISOString() } : {}),
    ...(r.changed ? { lastChangedAt: r.changed.toISOString() } : {}),
    ...(r.largest !== null ? { largestSize: Number(r.largest) } : {}),
  }]));
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

/**
 * What PostgreSQL knows about the tags of one repository (TagRecord joined with ManifestInfo), as
 * each row's JSON text: the tag list writes them into its answer as they are, with no row objects
 * to build and serialise again (1,500 tags: ~3 ms less per list).
 */
async function knownTagsJson(registryId: string, repository: string, tags?: string[]): Promise<Map<string, string>> {
  const where = tags
    ? Prisma.sql`WHERE "registryId" = ${registryId}::uuid AND "repository" = ${repository} AND "tag" = ANY(${tags})`
    : Prisma.sql`WHERE "registryId" = ${registryId}::uuid AND "repository" = ${repository}`;
  // One round trip, two texts: a line per tag with tab-separated fields (10,000 tags: one value, not
  // 60,000 cells through the driver; half the time of json_agg), and the distinct manifests they
  // point at, each once. Tag names and digests hold no tab or newline; pushedBy can: JSON-quoted.
  const [{ rows, manifests }] = await db.$queryRaw<{ rows: string | null; manifests: string | null }[]>`
    SELECT
      (SELECT string_agg(concat_ws(chr(9), "tag", "digest", floor(extract(epoch from "changedAt") * 1000)::int8,
         floor(extract(epoch from "checkedAt") * 1000)::int8, coalesce(floor(extract(epoch from "pushedAt") * 1000)::int8, -1),
         to_json("pushedBy")::text), chr(10))
       FROM "TagRecord" ${where}) AS rows,
      (SELECT json_agg(json_build_array("digest", "mediaType", "kind", "totalSize", "platforms",
         floor(extract(epoch from "createdAt") * 1000)::int8, "artifactType"))::text
       FROM "ManifestInfo" WHERE "digest" IN (SELECT DISTINCT "digest" FROM "TagRecord" ${where})) AS manifests`;
  type ManifestRow = [string, string, string, number | null, string[], number | null, string | null];
  // each manifest's fields as JSON text, once: `,"mediaType":…,"kind":…,…`
  const details = new Map(
    (manifests ? (JSON.parse(manifests) as ManifestRow[]) : []).map(([digest, mediaType, kind, totalSize, platforms, createdAt, artifactType]) => {
      const d: Partial<TagRow> = { mediaType, kind: kind as TagRow["kind"], platforms };
      if (totalSize !== null) d.size = totalSize;
      if (createdAt !== null) d.createdAt = new Date(createdAt).toISOString();
      if (artifactType) d.artifactType = artifactType;
      return [digest, `,${JSON.stringify(d).slice(1, -1)}`];
    }),
  );
  // rows written together share their times: each distinct time is formatted once
  const isoOf = new Map<string, string>();
  const iso = (ms: string) => isoOf.get(ms) ?? isoOf.set(ms, new Date(Number(ms)).toISOString()).get(ms)!;
  const out = new Map<string, string>();
  for (const line of rows ? rows.split("\n") : []) {
    const [name, digest, changedAt, checkedAt, pushedAt, pushedBy] = line.split("\t") as [string, string, string, string, string, string?];
    // the same fields, in the same order, as TagRow (pushedBy is JSON already)
    out.set(
      name,
      `{"name":${JSON.stringify(name)},"digest":${JSON.stringify(digest)}${details.get(digest) ?? ""},"changedAt":"${iso(changedAt)}","checkedAt":"${iso(checkedAt)}"` +
        `${pushedAt === "-1" ? "" : `,"pushedAt":"${iso(pushedAt)}"`}${pushedBy ? `,"pushedBy":${pushedBy}` : ""}}`,
    );
  }
  return out;
}

/** What PostgreSQL knows about these tags of one repository (TagRecord joined with ManifestInfo). */
export async function knownTags(registryId: string, repository: string, tags: string[]): Promise<Map<string, TagRow>> {
  const rows = await knownTagsJson(registryId, repository, tags);
  return new Map([...rows].map(([name, json]) => [name, JSON.parse(json) as TagRow]));
}

/**
 * The tag table's first answer: every name from the registry's tag list (with `limit`, the first
 * ones in the table's order), with what PostgreSQL already knows joined in. No manifest request:
 * the details endpoint fills in the rest.
 */
export async function listTags(registryId: string, repository: string, limit?: number, opts: { recent?: boolean; sort?: Sort } = {}): Promise<TagsAnswer> {
  return JSON.parse((await listTagsJson(registryId, repository, limit, undefined, opts)).json) as TagsAnswer;
}

// listings and row reads in flight, shared by the page and the routes (lib/process-wide.ts)
const listings = processWide("tagListings", () => new SharedFlights<string[]>());
const rowReads = processWide("tagRowReads", () => new SharedFlights<Map<string, string>>());

function registryTagListOf(registryId: string, repository: string): Promise<string[]> {
  return client(registryId).then((c) => c.listTags(repository));
}

// The last sorted name list of each recently listed repository, for the page's first screenful
// on a second visit (the table then asks for the whole list, which lists the registry again and
// replaces it). Bounded: 32 lists of at most RECENT_MAX_NAMES names, each kept ten minutes; the
// least recently used goes first.
const RECENT_MAX_NAMES = 100_000;
const recentNames = processWide("recentTagNames", () => new LRUCache<string, string[]>({ max: 32, ttl: 10 * 60_000 }));

function rememberNames(registryId: string, repository: string, names: string[]) {
  const key = `${registryId}/${repository}`;
  if (names.length > RECENT_MAX_NAMES) recentNames.delete(key);
  else recentNames.set(key, names);
}

function recentTagList(registryId: string, repository: string): string[] | undefined {
  return recentNames.get(`${registryId}/${repository}`);
}

/** Forgets the remembered name list of a repository (a tag was deleted or pushed by Regatta). */
export function forgetTagList(registryId: string, repository: string) {
  recentNames.delete(`${registryId}/${repository}`);
}

/**
 * listTags as the JSON text of a TagsAnswer (what the API sends), with the time each part took for
 * a Server-Timing header. With `limit`, only the first tags in the table's order (and the total):
 * PostgreSQL is then asked about those alone. With `fields` "name", the names alone, in the same order.
 * With `opts.sort` (a column of the table), the order the table gives that column (lib/tag-sort.ts):
 * every row is read then, and a first page is the table's first rows in that order.
 */
export async function listTagsJson(registryId: string, repository: string, limit?: number, fields?: "name", opts: { recent?: boolean; sort?: Sort } = {}): Promise<{ json: string; timing: Record<string, number> }> {
  validateRepository(repository);
  const t0 = performance.now();
  const ms = <T,>(p: Promise<T>) => p.then((v) => [v, performance.now() - t0] as const);
  // registry 2.8 lists tags in no order: a code-unit sort first (cheap) leaves the collator's
  // sort little to do (1,500 names: ~1 ms instead of ~4 ms); the result is the collator's order
  const sortedNames = (names: string[]) => {
    const sorted = [...names].sort().sort(compareTags);
    rememberNames(registryId, repository, sorted);
    return sorted;
  };
  // the page's first screenful may come from the last listing (opts.recent): no registry round trip
  const recent = limit && opts.recent ? recentTagList(registryId, repository) : undefined;
  // a listing or a read of every row already running for this repository (another user's, or the
  // table's whole list while its sorted first page is asked for) is shared, not made again
  const key = `${registryId}/${repository}`;
  const listed = () => (recent ? Promise.resolve(recent) : listings.run(key, () => registryTagListOf(registryId, repository).then(sortedNames)));
  const allKnown = () => rowReads.run(key, () => knownTagsJson(registryId, repository));
  // the registry and the database answer in parallel (for a first page, one after the other)
  // names only: PostgreSQL is not asked at all
  const namesOnly = async () => [await ms(listed()), [new Map<string, string>(), 0] as const] as const;
  const bySort = opts.sort && !isDefaultSort(opts.sort) ? opts.sort : undefined;
  const [[names, registryMs], [known, dbMs]] = fields === "name" ? await namesOnly() : limit && !bySort
    ? await ms(listed()).then(async (names) => [names, await ms(knownTagsJson(registryId, repository, names[0].slice(0, limit)))] as const)
    : await Promise.all([ms(listed()), ms(allKnown())]);
  const at = new Date();
  void recordRepository(registryId, repository, names.length, at).catch((e) => console.error(`[regatta] recording repository ${repository}:`, e instanceof Error ? e.message : e));
  const t1 = performance.now();
  const rowOf = (name: string) => known.get(name) ?? `{"name":${JSON.stringify(name)}}`;
  // the table's own comparator over every row (ties by version-aware name), so its first page is
  // exactly the first rows the table shows once the whole list is in
  const sorted = bySort ? sortTags(names.map((name) => JSON.parse(rowOf(name)) as TagRow), bySort).map((t) => t.name) : names;
  const rows = (limit ? sorted.slice(0, limit) : sorted).map(rowOf);
  const json = `{"tags":[${rows.join(",")}],"at":"${at.toISOString()}"${limit ? `,"total":${sorted.length}` : ""}}`;
  return { json, timing: { registry: registryMs, db: dbMs, join: performance.now() - t1 } };
}

// A repository's tag count, written when it changes or at most every 5 minutes (not on every list)
const recorded = processWide("repositoryCounts", () => new LRUCache<string, { tagCount: number; at: number }>({ max: 10_000 }));

async function recordRepository(registryId: string, name: string, tagCount: number, seenAt: Date) {
  const key = `${registryId}/${name}`;
  const last = recorded.get(key);
  if (last && last.tagCount === tagCount && seenAt.getTime() - last.at < 300_000) return;
  recorded.set(key, { tagCount, at: seenAt.getTime() });
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
  /** an index's entries; `imageSize` is the image's compressed size (config + layers) where known */
  children?: (Descriptor & { imageSize?: number })[];
  /** signatures, SBOMs, attestations that name this digest as their subject */
  referrers?: ReferrerView[];
  /** the registry's message when the referrers could not be listed (the rest of the answer stands) */
  referrersError?: string;
  whereElse: WhereElse;
}

type Visibility = (registryCol: Prisma.Sql, repositoryCol: Prisma.Sql) => Promise<Prisma.Sql>;

/** `visibility` (lib/auth/access.ts visibilityOf) limits "where else" to what the asker may see, in SQL. */
export async function getManifest(registryId: string, repository: string, reference: string, visibility?: Visibility): Promise<ManifestDetails> {
  validateRepository(repository);
  const { client: c, registry } = await registryWithClient(registryId);
  const m = await c.getManifest(repository, reference);
  const json = m.json as { config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[]; artifactType?: string };
  const raw = Buffer.from(m.bytes).toString("utf8");
  // Docker Hub counts every manifest GET against the pull limit: no index reads for "where else"
  const readIndexes = registry.kind !== "DOCKERHUB";
  // referrers and "where else" read other things than the manifest: in parallel, never fatal
  const extras = Promise.all([manifestReferrers(c, repository, m.digest), whereElse(c, registryId, repository, m.digest, isIndexMediaType(m.mediaType) ? (json.manifests ?? []) : [], readIndexes, visibility ? await visibility(Prisma.sql`t."registryId"`, Prisma.sql`t."repository"`) : Prisma.sql`TRUE`)]).then(
    ([r, w]) => ({ ...r, whereElse: w }),
  );
  if (isIndexMediaType(m.mediaType)) {
    const children = await withImageSizes(c, repository, json.manifests ?? [], readIndexes);
    return { digest: m.digest, mediaType: m.mediaType, size: m.size, kind: "index", manifest: json, raw, children, ...(await extras) };
  }
  const isImage = json.config?.mediaType?.includes("image.config") || json.config?.mediaType?.includes("container.image");
  let config: ImageConfig | undefined;
  if (isImage && json.config && json.config.size < 4 * 1024 * 1024) {
    config = JSON.parse(new TextDecoder().decode(await c.readBlob(repository, json.config.digest, json.config.size)));
  }
  return { digest: m.digest, mediaType: m.mediaType, size: m.size, kind: isImage ? "image" : "artifact", manifest: json, raw, config, layers: json.layers ?? [], ...(await extras) };
}

/** Children read per index page to learn their image sizes (the rest show none). */
const MAX_CHILDREN_SIZED = 32;

/**
 * An index lists its children's manifest bytes (~1 KiB), not their images: the image size is the
 * child's config + layers, from Regatta's index by digest, else from the child manifest (not on
 * registries that count manifest GETs against a pull limit).
 */
async function withImageSizes(c: RegistryClient, repository: string, children: Descriptor[], readManifests: boolean): Promise<(Descriptor & { imageSize?: number })[]> {
  if (!children.length) return [];
  const known = new Map(
    (await db.manifestInfo.findMany({ where: { digest: { in: children.map((d) => d.digest) } }, select: { digest: true, totalSize: true } }).catch(() => []))
      .filter((r) => r.totalSize !== null).map((r) => [r.digest, Number(r.totalSize)]),
  );
  let reads = 0;
  return Promise.all(
    children.map(async (d) => {
      const have = known.get(d.digest);
      if (have !== undefined) return { ...d, imageSize: have };
      if (!readManifests || isIndexMediaType(d.mediaType) || reads++ >= MAX_CHILDREN_SIZED) return d;
      const child = await c.getManifest(repository, d.digest).catch(() => null);
      const j = child?.json as { config?: Descriptor; layers?: Descriptor[] } | undefined;
      if (!j?.layers) return d;
      return { ...d, imageSize: (j.config?.size ?? 0) + j.layers.reduce((sum, l) => sum + (Number.isFinite(l.size) ? l.size : 0), 0) };
    }),
  );
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
const indexChildren = processWide("indexChildren", () => new Map<string, { digest: string; platform?: string }[]>());
const MAX_INDEXES_READ = 25;

const platformOf = (d: Descriptor) => (d.platform ? [d.platform.os, d.platform.architecture, d.platform.variant].filter(Boolean).join("/") : undefined);

/** Tags listed per digest on the digest page; the count beside them is always the true one. */
const PLACES_LISTED = 200;

type Places = { places: KnownPlace[]; total: number; registries: number };

async function placesOf(digests: string[], vis: Prisma.Sql = Prisma.sql`TRUE`): Promise<Map<string, Places>> {
  const out = new Map<string, Places>();
  if (!digests.length) return out;
  // the first PLACES_LISTED places of each digest, taken round-robin over its repositories (the
  // first tag of every repository, then the second …): a repository with hundreds of tags of one
  // image does not hide the other registries; with the counts of all of them
  const rows = await db.$queryRaw<(KnownPlace & { digest: string; total: bigint; registries: bigint; inRepository: bigint })[]>`
    SELECT "digest", "registryId", "registryName", "repository", "tag", "total", "registries", "inRepository" FROM (
      SELECT q.*,
             row_number() OVER (PARTITION BY "digest" ORDER BY "k", "registryName", "registryId", "repository", "tag") AS "n",
             count(*) OVER (PARTITION BY "digest") AS "total",
             max("r") OVER (PARTITION BY "digest") AS "registries",
             count(*) OVER (PARTITION BY "digest", "registryId", "repository") AS "inRepository"
      FROM (
        SELECT t."digest", t."registryId"::text AS "registryId", g."name" AS "registryName", t."repository", t."tag",
               row_number() OVER (PARTITION BY t."digest", t."registryId", t."repository" ORDER BY t."tag") AS "k",
               dense_rank() OVER (PARTITION BY t."digest" ORDER BY t."registryId") AS "r"
        FROM "TagRecord" t JOIN "Registry" g ON g."id" = t."registryId"
        WHERE t."digest" = ANY(${digests}) AND ${vis}
      ) q
    ) p WHERE "n" <= ${PLACES_LISTED}
    ORDER BY "digest", "registryName", "registryId", "repository", "tag"`;
  for (const { digest, total, registries, inRepository, ...place } of rows) {
    const entry = out.get(digest) ?? out.set(digest, { places: [], total: Number(total), registries: Number(registries) }).get(digest)!;
    entry.places.push({ ...place, inRepository: Number(inRepository) });
  }
  return out;
}

/** A digest's places as the answer says them: the listed tags and the counts of all of them. */
function knownPlaces(p: Places | undefined) {
  return { tags: p?.places ?? [], tagCount: p?.total ?? 0, registryCount: p?.registries ?? 0 };
}

async function whereElse(c: RegistryClient, registryId: string, repository: string, digest: string, children: Descriptor[], readIndexes: boolean, vis: Prisma.Sql): Promise<WhereElse> {
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
    const places = await placesOf([digest, ...parents.map((p) => p.digest), ...children.map((d) => d.digest)], vis);
    const known = (d: string) => knownPlaces(places.get(d));
    return {
      ...known(digest),
      parents: parents.sort((a, b) => a.digest.localeCompare(b.digest)).map((p) => ({ ...p, ...known(p.digest) })),
      children: children.flatMap((d) => (places.get(d.digest) ? [{ digest: d.digest, platform: platformOf(d), ...known(d.digest) }] : [])),
    };
  } catch (e) {
    console.error(`[regatta] where else for ${repository}@${digest}:`, e instanceof Error ? e.message : e);
    const own = await placesOf([digest], vis).then((p) => p.get(digest)).catch(() => undefined);
    return { ...knownPlaces(own), parents: [], children: [] };
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

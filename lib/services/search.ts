import "server-only";
// Global search over what Regatta knows (RepositoryRecord, TagRecord), kept fresh by every visit
// and by the sync job. Substring matches use the pg_trgm GIN indexes; digest prefixes a range on
// the btree index of TagRecord.digest. Ranked exact > prefix > substring, shorter names first.
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import type { SearchAnswer, SearchHit, SearchMatch } from "@/lib/schemas/search";

/** Hits per kind; at most 50 in all. */
export const SEARCH_LIMITS = { repository: 15, tag: 25, digest: 10 } as const;

const MATCH: Record<number, SearchMatch> = { 3: "exact", 2: "prefix", 1: "substring" };

/** `sha256:abc123…` or a bare hex prefix of at least 6 characters → `sha256:<hex>`, else null. */
export function digestPrefix(q: string): string | null {
  const hex = q.trim().toLowerCase().replace(/^sha256:/, "");
  return /^[0-9a-f]{6,64}$/.test(hex) ? `sha256:${hex}` : null;
}

/** A LIKE pattern that matches `s` literally. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

interface Row { registryId: string; registryName: string; repository: string; tag?: string; digest?: string; tags?: string[]; score: number }

/** Matches read per tier before ranking: a query that matches everything stays bounded. */
const CANDIDATES = 2000;

const ALL = Prisma.sql`TRUE`;

const repositoryRows = (where: Prisma.Sql, score: number, vis: Prisma.Sql) => db.$queryRaw<Row[]>`
  SELECT * FROM (
    SELECT r."registryId"::text AS "registryId", g."name" AS "registryName", r."name" AS "repository", ${score}::int AS "score"
    FROM "RepositoryRecord" r JOIN "Registry" g ON g."id" = r."registryId"
    WHERE ${where} AND ${vis} LIMIT ${CANDIDATES}) c
  ORDER BY length(c."repository"), c."repository", c."registryName"
  LIMIT ${SEARCH_LIMITS.repository}`;

const tagRows = (where: Prisma.Sql, score: number, vis: Prisma.Sql) => db.$queryRaw<Row[]>`
  SELECT * FROM (
    SELECT t."registryId"::text AS "registryId", g."name" AS "registryName", t."repository", t."tag", t."digest", ${score}::int AS "score"
    FROM "TagRecord" t JOIN "Registry" g ON g."id" = t."registryId"
    WHERE ${where} AND ${vis} LIMIT ${CANDIDATES}) c
  ORDER BY length(c."tag"), c."tag", c."registryName", c."repository"
  LIMIT ${SEARCH_LIMITS.tag}`;

/**
 * Exact, prefix and substring tiers, each its own bounded query, best first. The substring tier
 * runs only when the better ones left room: for a term that starts every tag ("build"), it
 * would read every row only to find none that is not a prefix match.
 */
async function tiers(queries: [() => Promise<Row[]>, () => Promise<Row[]>, () => Promise<Row[]>], limit: number): Promise<Row[]> {
  const [exact, prefix] = await Promise.all([queries[0](), queries[1]()]);
  const rows = [...exact, ...prefix];
  if (rows.length < limit) rows.push(...(await queries[2]()));
  return rows.slice(0, limit);
}

/**
 * `visibility` (lib/auth/access.ts visibleSql over t."registryId"/t."repository") limits every hit
 * to what the asker may see, inside the query: a hidden registry's rows never leave the database.
 */
export async function search(raw: string, visibility: (registryCol: Prisma.Sql, repositoryCol: Prisma.Sql) => Promise<Prisma.Sql> = async () => ALL): Promise<SearchAnswer> {
  const [rVis, tVis] = await Promise.all([visibility(Prisma.sql`r."registryId"`, Prisma.sql`r."name"`), visibility(Prisma.sql`t."registryId"`, Prisma.sql`t."repository"`)]);
  const q = raw.trim();
  const lq = q.toLowerCase();
  const e = likeEscape(q);
  const prefix = digestPrefix(q);
  // "repo:tag" (not a digest): the tag's prefix within matching repositories
  const at = q.lastIndexOf(":");
  const colon = !prefix && at > 0 && at < q.length - 1 ? at : -1;

  // "sha256:…" or 40+ hex characters is a digest and nothing else (a name has no ":", and a
  // long hex string would cost the trigram search dozens of common trigrams for no hit)
  const onlyDigest = !!prefix && (/^sha256:/i.test(q) || q.length > 40);
  const none = () => Promise.resolve([] as Row[]);

  // a repository matches exactly by its name or its last path segment, by prefix at any segment
  const repositories = onlyDigest ? none() : tiers(
    [
      () => repositoryRows(Prisma.sql`(r."name" ILIKE ${e} OR r."name" ILIKE ${`%/${e}`})`, 3, rVis),
      () => repositoryRows(Prisma.sql`(r."name" ILIKE ${`${e}%`} OR r."name" ILIKE ${`%/${e}%`}) AND NOT (r."name" ILIKE ${e} OR r."name" ILIKE ${`%/${e}`})`, 2, rVis),
      () => repositoryRows(Prisma.sql`r."name" ILIKE ${`%${e}%`} AND NOT (r."name" ILIKE ${`${e}%`} OR r."name" ILIKE ${`%/${e}%`})`, 1, rVis),
    ],
    SEARCH_LIMITS.repository,
  );

  let tags: Promise<Row[]>;
  if (onlyDigest) {
    tags = none();
  } else if (colon > 0) {
    const rq = likeEscape(q.slice(0, colon));
    const tq = q.slice(colon + 1);
    // the repositories first, from RepositoryRecord (trigram index); their tags by primary key
    const repos = (pattern: Prisma.Sql) => Prisma.sql`(t."registryId", t."repository") IN (SELECT r."registryId", r."name" FROM "RepositoryRecord" r WHERE ${pattern} LIMIT 200)`;
    const named = repos(Prisma.sql`(r."name" ILIKE ${rq} OR r."name" ILIKE ${`%/${rq}`})`);
    tags = tiers(
      [
        () => tagRows(Prisma.sql`t."tag" IN (${tq}, ${tq.toLowerCase()}) AND ${named}`, 3, tVis),
        () => tagRows(Prisma.sql`t."tag" ILIKE ${`${likeEscape(tq)}%`} AND t."tag" NOT IN (${tq}, ${tq.toLowerCase()}) AND ${named}`, 2, tVis),
        () => tagRows(Prisma.sql`t."tag" ILIKE ${`${likeEscape(tq)}%`} AND ${repos(Prisma.sql`r."name" ILIKE ${`%${rq}%`} AND NOT (r."name" ILIKE ${rq} OR r."name" ILIKE ${`%/${rq}`})`)}`, 1, tVis),
      ],
      SEARCH_LIMITS.tag,
    );
  } else {
    // exact through the btree index (as typed, or lower case: tags are mostly lower case)
    tags = tiers(
      [
        () => tagRows(Prisma.sql`t."tag" IN (${q}, ${lq})`, 3, tVis),
        () => tagRows(Prisma.sql`t."tag" ILIKE ${`${e}%`} AND t."tag" NOT IN (${q}, ${lq})`, 2, tVis),
        () => tagRows(Prisma.sql`t."tag" ILIKE ${`%${e}%`} AND NOT t."tag" ILIKE ${`${e}%`}`, 1, tVis),
      ],
      SEARCH_LIMITS.tag,
    );
  }

  // every hex character sorts below "g" (in C and in linguistic collations alike), so
  // [prefix, prefix + "g") is a btree range; the LIKE only confirms it
  const digests = prefix
    ? db.$queryRaw<Row[]>`
        SELECT t."registryId"::text AS "registryId", g."name" AS "registryName", t."repository", t."digest",
          (array_agg(t."tag" ORDER BY t."tag"))[1:5] AS "tags",
          ${prefix.length === 71 ? 3 : 2}::int AS "score"
        FROM "TagRecord" t JOIN "Registry" g ON g."id" = t."registryId"
        WHERE t."digest" >= ${prefix} AND t."digest" < ${prefix + "g"} AND t."digest" LIKE ${prefix + "%"} AND ${tVis}
        GROUP BY t."registryId", g."name", t."repository", t."digest"
        ORDER BY t."digest", g."name", t."repository"
        LIMIT ${SEARCH_LIMITS.digest}`
    : Promise.resolve([] as Row[]);

  const [r, t, d] = await Promise.all([repositories, tags, digests]);
  const hit = (kind: SearchHit["kind"]) => (row: Row): SearchHit => {
    const score = Number(row.score);
    const h: SearchHit = { kind, registryId: row.registryId, registryName: row.registryName, repository: row.repository, match: MATCH[score], score };
    if (row.tag !== undefined) h.tag = row.tag;
    if (row.digest !== undefined) h.digest = row.digest;
    if (row.tags) h.tags = row.tags;
    return h;
  };
  // a digest hit is what someone pasting a digest wants first
  const results = [...d.map(hit("digest")), ...r.map(hit("repository")), ...t.map(hit("tag"))].sort((a, b) => b.score - a.score);
  return { results, ...(prefix ? { digestPrefix: prefix } : {}) };
}

import { z } from "zod";
import { digest, reference, repositoryName as repository, tagName as tag } from "./names";

export const repositoriesQuery = z.object({ query: z.string().max(255).optional(), cursor: z.string().max(255).optional() });
/** Rows in the tag table's first page: enough to fill the screen while the whole list travels. */
export const FIRST_PAGE = 100;
/** The tags API path below /api/v1, spelled one way: the page preloads exactly what the table asks for. */
export function tagsPath(registryId: string, repository: string, limit?: number, sort?: string): string {
  const q = new URLSearchParams({ repository });
  if (limit) q.set("limit", String(limit));
  if (sort && sort !== "name") q.set("sort", sort);
  return `/registries/${encodeURIComponent(registryId)}/tags?${q}`;
}

/** The tag table's columns that sort (lib/tag-sort.ts sorts by them, here and in the browser). */
export const SORT_KEYS = ["name", "digest", "kind", "platforms", "size", "createdAt", "pushedAt"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
/** A sort as the table's URL and the API's `sort` spell it: `size`, `-pushedAt` (descending). */
export const SORT_PATTERN = new RegExp(`^-?(${SORT_KEYS.join("|")})$`);

export const tagsQuery = z.object({
  repository,
  /** only the first `limit` tags in the table's default order, with `total`; absent: every tag */
  limit: z.coerce.number({ error: "limit must be a number" }).int("limit must be a whole number").min(1, "limit must be at least 1").max(1000, "limit must be at most 1000").optional(),
  /** `name`: the names alone (`{ tags: [{ name }] }`), without asking PostgreSQL: the cheap form for CI */
  fields: z.enum(["name"], { error: "fields must be \"name\" (or absent for every field)" }).optional(),
  /** the tag table's order: a column, `-` first for descending (`-pushedAt`); absent: names ascending */
  sort: z.string().regex(SORT_PATTERN, `sort must be one of ${SORT_KEYS.join(", ")}, with "-" first for descending`).optional(),
}).refine((q) => !q.fields || !q.sort || q.sort.replace(/^-/, "") === "name", { message: "sort by a column needs every field: leave out fields=name", path: ["sort"] });
export const manifestQuery = z.object({ repository, reference });

/** The most tags one details request may ask about: the client sends batches of this size. */
export const TAG_DETAILS_BATCH = 200;
export const tagDetailsBody = z.object({
  repository,
  tags: z.array(tag, { error: "tags must be a list of tag names" }).min(1, "tags is empty").max(TAG_DETAILS_BATCH, `at most ${TAG_DETAILS_BATCH} tags per request`),
  /**
   * the tag table filling rows that lack details: a tag checked in the last minute is answered from
   * PostgreSQL, a HEAD of it this server made in the last 5 s (or has in flight) is shared; without it
   * every tag is asked of the registry now
   */
  fill: z.boolean({ error: "fill must be true or false" }).optional(),
});

export type TagKind = "image" | "index" | "artifact";

/** One row of the tag table: the name always, the rest when PostgreSQL knows it. Dates are ISO strings. */
export interface TagRow {
  name: string;
  digest?: string;
  mediaType?: string;
  kind?: TagKind;
  platforms?: string[];
  /** compressed size: config + layers; an index: the sum over its children */
  size?: number;
  createdAt?: string;
  pushedAt?: string;
  pushedBy?: string;
  /** when Regatta saw the tag move to this digest (first sight counts) */
  changedAt?: string;
  /** when Regatta last checked the tag with a HEAD */
  checkedAt?: string;
  artifactType?: string;
  /** the details endpoint found no such tag any more */
  missing?: boolean;
}

/** A row the details endpoint has not filled yet (no digest or kind known). */
export function needsDetails(t: TagRow): boolean {
  return !t.digest || !t.kind;
}

/**
 * Rows of a cold table the page fills before its HTML goes (within a budget): the rows a 1080p
 * desktop shows (65vh / 34 px ≈ 21; a phone ≈ 16). Three rounds of the host's 8 slots; more
 * would queue the table's own list request behind them when the budget is missed.
 */
export const FIRST_SCREEN_ROWS = 24;

export interface TagsAnswer {
  tags: TagRow[];
  /** server time of the answer, to judge checkedAt against */
  at: string;
  /** with `limit`: how many tags the repository has in all */
  total?: number;
}

export interface TagDetailsAnswer {
  tags: TagRow[];
  /** registry requests made for this answer */
  requests: { head: number; manifest: number; blob: number };
}

export function searchParams(req: Request): Record<string, string> {
  return Object.fromEntries(new URL(req.url).searchParams);
}

export interface RegistryHealth {
  reachable: boolean;
  authenticated: boolean;
  latencyMs: number;
  message?: string;
  /** from RepositoryRecord: what browsing has seen so far */
  repositories: number;
  tags: number | null;
  /** the pull budget the registry reports (Docker Hub's ratelimit-* headers) */
  rateLimit?: { limit: number; remaining: number; windowSeconds?: number; retryAt?: string; scope?: string };
  /** ISO time the stored credential stops working, where known */
  credentialExpiresAt?: string;
}

/** GET /api/v1/registries/{id}/tag-history: one tag of one repository. */
export const tagHistoryQuery = z.object({ repository, tag });

/** DELETE /api/v1/registries/{id}/tags: `?dryRun=1` previews, the delete itself needs confirmDigest. */
export const tagDeleteQuery = z.object({
  repository,
  tag,
  confirmDigest: digest.optional(),
  dryRun: z.enum(["1", "true"]).optional(),
});

/** GET /api/v1/protection: the rule that holds one tag. */
export const protectionQuery = z.object({ registryId: z.string().uuid(), repository, tag });

/** A registry id in a path: anything else is no registry (404). */
export const registryIdParam = z.guid();

/** GET /api/v1/stages (and its alias /environments): with ?tag=, also that tag's digest in each stage. */
export const pipelineQuery = z.object({ tag: tag.optional() });

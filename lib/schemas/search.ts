import { z } from "zod";

export const SEARCH_MIN = 2;
export const searchQuery = z.object({
  q: z
    .string({ error: "q is required" })
    .trim()
    .min(SEARCH_MIN, `q: type at least ${SEARCH_MIN} characters`)
    .max(200, "q: at most 200 characters")
    // PostgreSQL compares no text with a NUL in it
    .refine((q) => !q.includes("\u0000"), "q may not contain NUL"),
});

export type SearchHitKind = "repository" | "tag" | "digest";
export type SearchMatch = "exact" | "prefix" | "substring";

/** One hit of the global search. `tag` for tag hits; `digest` for tag and digest hits. */
export interface SearchHit {
  kind: SearchHitKind;
  registryId: string;
  registryName: string;
  repository: string;
  tag?: string;
  digest?: string;
  /** digest hits: the tags of this repository on that digest (a few) */
  tags?: string[];
  match: SearchMatch;
  /** 3 exact, 2 prefix, 1 substring */
  score: number;
}

export interface SearchAnswer {
  results: SearchHit[];
  /** the digest prefix searched for, when q looked like one */
  digestPrefix?: string;
}

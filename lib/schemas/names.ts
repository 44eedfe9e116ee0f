// The OCI names every route accepts, in one place: repository, tag, digest and reference (tag or
// digest). Grammar and limits from the OCI Distribution Spec ("Pulling manifests": <name> and
// <reference>) and distribution's reference/regexp.go. Checked before any lookup or registry
// call, so an oversize or malformed name is a 422 that costs nothing.
import { z } from "zod";
import { GLOB_MAX_LENGTH, globProblem } from "@/lib/glob";

/** distribution: a repository name is at most 255 characters in all. */
export const REPOSITORY_MAX = 255;
/** A tag: `[\w][\w.-]{0,127}`. */
export const TAG_MAX = 128;

// path-component = alphanumeric (separator alphanumeric)*; separator = [_.] | __ | [-]+ (one
// path-component after another, joined by /). No nested ambiguity: the RegExp runs in linear time.
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const REPOSITORY_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
// algorithm ":" encoded, with the registered algorithms' exact lengths
const DIGEST_RE = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
/** Longest digest accepted (sha512). */
export const DIGEST_MAX = 7 + 128;

export function isRepositoryName(s: string): boolean {
  return s.length <= REPOSITORY_MAX && REPOSITORY_RE.test(s);
}
export function isTagName(s: string): boolean {
  return s.length <= TAG_MAX && TAG_RE.test(s);
}
export function isDigest(s: string): boolean {
  return s.length <= DIGEST_MAX && DIGEST_RE.test(s);
}

// length first, in a check of its own: a megabyte of input never reaches a RegExp
export const repositoryName = z
  .string({ error: "repository is required" })
  .min(1, "repository is required")
  .max(REPOSITORY_MAX, `a repository name is at most ${REPOSITORY_MAX} characters`)
  .refine(isRepositoryName, "a repository name is lower-case letters, digits and . _ - between them, in parts joined by /");

export const tagName = z
  .string({ error: "tag is required" })
  .min(1, "tag is required")
  .max(TAG_MAX, `a tag name is at most ${TAG_MAX} characters`)
  .refine(isTagName, "a tag is letters, digits, _ . - (not starting with . or -)");

export const digest = z
  .string({ error: "digest is required" })
  .max(DIGEST_MAX, "not a digest (sha256:<64 hex digits>)")
  .refine(isDigest, "not a digest (sha256:<64 hex digits>)");

/** A manifest reference: a tag or a digest. */
export const reference = z
  .string({ error: "reference is required" })
  .min(1, "reference is required")
  .max(DIGEST_MAX, "a reference is a tag (at most 128 characters) or a digest")
  .refine((s) => isTagName(s) || isDigest(s), "a reference is a tag or a digest (sha256:<64 hex digits>)");

/** A glob over repository or tag names (see lib/glob.ts), refused with the reason when malformed or oversize. */
export function globField(what: string, max = GLOB_MAX_LENGTH) {
  return z
    .string({ error: `${what} is required (use * for all)` })
    .trim()
    .min(1, `${what} is required (use * for all)`)
    .max(max, `${what} is at most ${max} characters`)
    .superRefine((s, ctx) => {
      const problem = globProblem(s);
      if (problem) ctx.addIssue({ code: "custom", message: `${what}: ${problem}` });
    });
}

// The one glob matcher for repository and tag names, used by the server (protection rules, and
// retention policies later) and by the browser (the tag table's filter). Pure: no Node, no React.
//
// Syntax: `*` any run of characters (also `/`; `**` is the same), `?` one character, `[abc]`,
// `[a-z]`, `[!a-z]` / `[^a-z]` one character of (not of) a class, `{a,b}` one of the
// alternatives (nested allowed), `\x` the character x itself.
//
// Linear time: the glob is translated here into an RE2 expression, and lib/glob-match.ts matches
// it with re2js, a port of RE2 (automata, no backtracking). A backtracking RegExp with `.*` took
// 0.8 s for `*-*-*-rc` against a 1,600-character tag; RE2's time grows with the input's length
// times the glob's, never more. The two halves are apart so a page that only checks a glob's
// syntax (forms, schemas) does not load re2js: its compilation took ~100 ms of the browser's main
// thread on the tag page, which now loads it when a filter is a glob.

/** Longest glob accepted: a repository name is at most 255 characters, a glob a little more for its syntax. */
export const GLOB_MAX_LENGTH = 512;
/** Most `{…,…}` alternatives in one glob (summed over every group), and their deepest nesting. */
export const GLOB_MAX_ALTERNATIVES = 64;
export const GLOB_MAX_DEPTH = 4;

export class GlobSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GlobSyntaxError";
  }
}

// RE2 syntax characters outside a class that must be escaped to stand for themselves
const SPECIAL = new Set([..."\\.+*?()|[]{}^$"]);
const lit = (c: string) => (SPECIAL.has(c) ? `\\${c}` : c);
// inside a class only these mean something
const classLit = (c: string) => (c === "\\" || c === "]" || c === "[" || c === "^" || c === "-" ? `\\${c}` : c);

/** The RE2 expression (anchored) for a glob; throws GlobSyntaxError with a message for people. */
export function globToRe2(glob: string): string {
  if (glob.length > GLOB_MAX_LENGTH) throw new GlobSyntaxError(`a glob is at most ${GLOB_MAX_LENGTH} characters`);
  const chars = [...glob];
  let out = "";
  let depth = 0;
  let alternatives = 0;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === "\\") {
      const next = chars[++i];
      if (next === undefined) throw new GlobSyntaxError("a glob cannot end with \\");
      out += lit(next);
    } else if (c === "*") {
      while (chars[i + 1] === "*") i++;
      out += ".*";
    } else if (c === "?") {
      out += ".";
    } else if (c === "[") {
      let j = i + 1;
      let negate = false;
      if (chars[j] === "!" || chars[j] === "^") {
        negate = true;
        j++;
      }
      let body = "";
      let first = true;
      for (; j < chars.length && (chars[j] !== "]" || first); j++, first = false) {
        const d = chars[j]!;
        if (d === "\\") {
          if (chars[j + 1] === undefined) break;
          body += classLit(chars[++j]!);
        } else if (d === "-" && !first && chars[j + 1] !== undefined && chars[j + 1] !== "]") {
          const lo = chars[j - 1]!;
          const hi = chars[j + 1]!;
          if (lo > hi) throw new GlobSyntaxError(`the range ${lo}-${hi} in [...] runs backwards`);
          body += "-";
        } else {
          body += classLit(d);
        }
      }
      if (j >= chars.length) throw new GlobSyntaxError("a [ has no closing ]");
      out += `[${negate ? "^" : ""}${body}]`;
      i = j;
    } else if (c === "{") {
      if (++depth > GLOB_MAX_DEPTH) throw new GlobSyntaxError(`{…} groups nest at most ${GLOB_MAX_DEPTH} deep`);
      alternatives++;
      out += "(?:";
    } else if (c === "," && depth > 0) {
      if (++alternatives > GLOB_MAX_ALTERNATIVES) throw new GlobSyntaxError(`a glob has at most ${GLOB_MAX_ALTERNATIVES} {…} alternatives`);
      out += "|";
    } else if (c === "}" && depth > 0) {
      depth--;
      out += ")";
    } else if (c === "}") {
      throw new GlobSyntaxError("a } has no opening {");
    } else {
      out += lit(c);
    }
  }
  if (depth > 0) throw new GlobSyntaxError("a { has no closing }");
  if (alternatives > GLOB_MAX_ALTERNATIVES) throw new GlobSyntaxError(`a glob has at most ${GLOB_MAX_ALTERNATIVES} {…} alternatives`);
  return `^(?:${out})$`;
}

/** Why a glob is refused, or null when it is fine: for zod refinements and forms. */
export function globProblem(glob: string): string | null {
  try {
    globToRe2(glob);
    return null;
  } catch (err) {
    if (err instanceof GlobSyntaxError) return err.message;
    throw err;
  }
}

/** Whether a string uses glob syntax (otherwise the tag filter treats it as plain text). */
export function isGlob(s: string): boolean {
  return /[*?[\]{}]/.test(s);
}

// The matching half of the one glob matcher (lib/glob.ts has the syntax): globs compiled to RE2
// expressions and matched by re2js in linear time. The server imports it; the browser loads it
// when a filter is a glob (components/tag-table.tsx), not with every page.
import { RE2JS } from "re2js";
import { globToRe2, GlobSyntaxError } from "@/lib/glob";

export interface Glob {
  readonly source: string;
  test(value: string): boolean;
}

const compiled = new Map<string, Glob>();

/** Compiles a glob for many matches (the last few hundred are kept); throws GlobSyntaxError on a bad glob. */
export function compileGlob(glob: string, opts: { ignoreCase?: boolean } = {}): Glob {
  const key = `${opts.ignoreCase ? "i" : "c"}${glob}`;
  let g = compiled.get(key);
  if (!g) {
    const re = RE2JS.compile(globToRe2(glob), (opts.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0) | RE2JS.DOTALL);
    g = { source: glob, test: (value: string) => re.matches(value) };
    if (compiled.size >= 500) compiled.clear();
    compiled.set(key, g);
  }
  return g;
}

/** One match. A bad glob matches nothing (validate globs on input with globProblem). */
export function globMatch(glob: string, value: string): boolean {
  try {
    return compileGlob(glob).test(value);
  } catch (err) {
    if (err instanceof GlobSyntaxError) return false;
    throw err;
  }
}

// The house's layering, checked from the imports (DESIGN.md, "Rules of the house"): a lower layer
// never imports a higher one, components import no server module, and no two folders of lib/
// import each other (directly or round a longer loop). Type-only imports count too: they tie the
// lower layer to the higher one's shapes all the same.
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const SCANNED = ["app", "lib", "components"];
const SKIP_DIRS = new Set(["node_modules", "generated", ".next"]);

/**
 * Pure helpers under lib/ that components may import (no server module, no secret, no I/O).
 * lib/schemas is allowed as a whole: zod shapes shared by the API and the browser.
 */
const CLIENT_SAFE = ["lib/schemas/", "lib/glob.ts", "lib/glob-match.ts", "lib/theme.ts", "lib/concurrency.ts", "lib/tag-sort.ts"];

/**
 * Known exceptions, each with its reason. None today: keep it that way.
 */
const ALLOWED: { from: string; to: string }[] = [];

interface Edge { from: string; to: string; spec: string }

function walk(dir: string, out: string[]) {
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    if (SKIP_DIRS.has(e.name)) continue;
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) walk(rel, out);
    else if (/\.(ts|tsx)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && !e.name.endsWith(".d.ts")) out.push(rel);
  }
  return out;
}

/** Every module specifier a file imports: import/export … from, import(), import("x").T, require. */
function specifiers(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) out.push(n.moduleSpecifier.text);
    else if (ts.isCallExpression(n) && (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === "require"))) {
      const [a] = n.arguments;
      if (a && ts.isStringLiteralLike(a)) out.push(a.text);
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) out.push(n.argument.literal.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** A specifier as a repo-relative file (or the bare package name when it is a package). */
function resolve(from: string, spec: string): string {
  let base: string;
  if (spec.startsWith("@/")) base = spec.slice(2);
  else if (spec.startsWith(".")) base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  else return spec;
  for (const c of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) {
    const p = path.join(root, c);
    if (fs.existsSync(p) && fs.statSync(p).isFile()) return c;
  }
  return base;
}

const files = SCANNED.flatMap((d) => walk(d, []));
const edges: Edge[] = files.flatMap((f) => specifiers(f).map((spec) => ({ from: f, to: resolve(f, spec), spec })));
const allowed = (e: Edge) => ALLOWED.some((a) => e.from === a.from && e.to.startsWith(a.to));
const under = (f: string, ...prefixes: string[]) => prefixes.some((p) => (p.endsWith("/") ? f.startsWith(p) : f === p || f.startsWith(`${p}/`) || f === `${p}.ts`));
const show = (es: Edge[]) => es.map((e) => `${e.from} -> ${e.spec}`);

/** The unit of the folder rule: lib/<folder> or a top-level lib file (lib/db.ts -> lib/db). */
const unit = (f: string) => {
  const m = /^lib\/([^/]+?)(?:\.tsx?)?(?:\/|$)/.exec(f);
  return m ? `lib/${m[1]}` : null;
};

const serverOnly = new Set(edges.filter((e) => e.spec === "server-only").map((e) => e.from));

describe("import rules", () => {
  it("scans the tree", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(edges.length).toBeGreaterThan(500);
  });

  it("lib/jobs, lib/api, lib/registry and lib/db import no service", () => {
    const bad = edges.filter((e) => under(e.from, "lib/jobs/", "lib/api/", "lib/registry/", "lib/db.ts") && under(e.to, "lib/services/") && !allowed(e));
    expect(show(bad)).toEqual([]);
  });

  it("lib/jobs is only the queue: no lib/services, lib/db, lib/registry or lib/audit", () => {
    const bad = edges.filter((e) => under(e.from, "lib/jobs/") && under(e.to, "lib/services/", "lib/db.ts", "lib/registry/", "lib/audit/"));
    expect(show(bad)).toEqual([]);
  });

  it("lib/registry imports nothing of Next, Prisma, React or the database", () => {
    const bad = edges.filter((e) => under(e.from, "lib/registry/") && (/^(next|react|react-dom|@prisma\/[^/]+|prisma)(\/|$)/.test(e.to) || under(e.to, "lib/db.ts", "lib/generated/")));
    expect(show(bad)).toEqual([]);
  });

  it("nothing under lib/ or components/ imports app/", () => {
    const bad = edges.filter((e) => under(e.from, "lib/", "components/") && under(e.to, "app/"));
    expect(show(bad)).toEqual([]);
  });

  it("components import no server module", () => {
    const bad = edges.filter((e) => under(e.from, "components/") && (
      e.spec === "server-only" || serverOnly.has(e.to) || (under(e.to, "lib/") && !CLIENT_SAFE.some((p) => under(e.to, p)))
    ));
    expect(show(bad)).toEqual([]);
    // and what they may import stays free of server modules all the way down
    const seen = new Set<string>();
    const stack = edges.filter((e) => under(e.from, "components/") && files.includes(e.to)).map((e) => e.to);
    const leaks: string[] = [];
    while (stack.length) {
      const f = stack.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      if (serverOnly.has(f)) leaks.push(f);
      for (const e of edges) if (e.from === f && files.includes(e.to)) stack.push(e.to);
    }
    expect(leaks).toEqual([]);
  });

  it("no cycle between the folders of lib/", () => {
    const graph = new Map<string, Map<string, Edge>>();
    for (const e of edges) {
      const a = unit(e.from), b = unit(e.to);
      if (!a || !b || a === b || allowed(e)) continue;
      if (!graph.has(a)) graph.set(a, new Map());
      if (!graph.get(a)!.has(b)) graph.get(a)!.set(b, e);
    }
    // every loop found by a depth-first walk, named with one import per arrow
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const trail: string[] = [];
    const dfs = (n: string) => {
      state.set(n, "open");
      trail.push(n);
      for (const [m, e] of graph.get(n) ?? []) {
        if (state.get(m) === "open") {
          const loop = [...trail.slice(trail.indexOf(m)), m];
          cycles.push(loop.map((x, i) => (i + 1 < loop.length ? `${x} (${graph.get(x)!.get(loop[i + 1])!.from})` : x)).join(" -> "));
        } else if (!state.has(m)) dfs(m);
      }
      trail.pop();
      state.set(n, "done");
    };
    for (const n of [...graph.keys()].sort()) if (!state.has(n)) dfs(n);
    expect(cycles).toEqual([]);
  });

  it("tag history has one writer: lib/services/tag-history.ts", () => {
    const write = /\b(tagRecord|tagChange)\.(create|createMany|update|updateMany|upsert|delete|deleteMany)\b|\b(INSERT INTO|DELETE FROM|UPDATE)\s+"Tag(Record|Change)"/;
    const bad = files.filter((f) => f !== "lib/services/tag-history.ts" && write.test(fs.readFileSync(path.join(root, f), "utf8")));
    expect(bad).toEqual([]);
  });

  it("services speak plain data: no Request, Response or HTTP status, no lib/api, no Next", () => {
    const bad = edges.filter((e) => under(e.from, "lib/services/") && (under(e.to, "lib/api/") || /^next(\/|$)/.test(e.to)));
    expect(show(bad)).toEqual([]);
    const http = /\bnew Response\b|\bResponse\.json\b|\bNextResponse\b|:\s*(Request|Response)\b|\bstatus:\s*[1-5]\d\d\b/;
    const speaking = files.filter((f) => under(f, "lib/services/") && http.test(fs.readFileSync(path.join(root, f), "utf8")));
    expect(speaking).toEqual([]);
  });

  it("zod schemas live in lib/schemas", () => {
    const defines = /\bz\.(object|string|number|boolean|enum|guid|uuid|array|union|literal|coerce)\b/;
    const bad = files.filter((f) => !under(f, "lib/schemas/") && defines.test(fs.readFileSync(path.join(root, f), "utf8")));
    expect(bad).toEqual([]);
  });
});

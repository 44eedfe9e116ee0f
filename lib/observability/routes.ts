// Route patterns for metric labels and log lines: a request path becomes the app's route it hits
// ("/api/v1/registries/[id]/tags"), so labels stay few whatever paths callers send.
import fs from "node:fs";
import path from "node:path";

export type RouteLabeler = (path: string) => string;

function toRegex(pattern: string): RegExp {
  const body = pattern
    .split("/")
    .map((seg) => (/^\[\[?\.\.\./.test(seg) ? ".+" : /^\[.+\]$/.test(seg) ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${body}/?$`);
}

/** From Next's build (app-path-routes-manifest.json in `distDir`); extra patterns are added. */
export function routeLabeler(distDir = ".next", extra: string[] = []): RouteLabeler {
  let patterns: string[] = [...extra];
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(distDir, "app-path-routes-manifest.json"), "utf8")) as Record<string, string>;
    patterns.push(...Object.values(manifest));
  } catch {
    // no build yet (tests): only the extra patterns
  }
  patterns = [...new Set(patterns)]
    // static segments before dynamic ones: "/promotions/new" before "/promotions/[id]"
    .sort((a, b) => (a.match(/\[/g)?.length ?? 0) - (b.match(/\[/g)?.length ?? 0) || b.length - a.length);
  const compiled = patterns.map((p) => ({ p, re: toRegex(p) }));
  return (p: string) => {
    if (p.startsWith("/_next/")) return "/_next/*";
    for (const { p: pattern, re } of compiled) if (re.test(p)) return pattern;
    return "other";
  };
}

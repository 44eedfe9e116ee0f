// Every route handler under app/api, found on the filesystem: "METHOD /api/path/[param]" → handler.
// The suites that must notice a new route.ts (authorization matrix, fuzz) start from this table.
import type { RouteHandler } from "./principals";

export const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const modules = import.meta.glob<Record<string, unknown>>("/app/api/**/route.ts", { eager: true });

export function routeTable(): Map<string, RouteHandler> {
  const table = new Map<string, RouteHandler>();
  for (const [file, mod] of Object.entries(modules)) {
    const path = file.replace(/^\/app/, "").replace(/\/route\.ts$/, "");
    for (const m of METHODS) if (typeof mod[m] === "function") table.set(`${m} ${path}`, mod[m] as RouteHandler);
  }
  return table;
}

/** The concrete path of a route with its params filled in (catch-all params as arrays). */
export function concretePath(route: string, params: Record<string, unknown>, fallback: (name: string) => string): string {
  return route.replace(/\[(?:\.\.\.)?(\w+)\]/g, (_, name: string) => {
    const v = params[name] ?? fallback(name);
    return Array.isArray(v) ? v.map(encode).join("/") : encode(v);
  });
}

// a lone surrogate cannot be percent-encoded; a client would send U+FFFD instead
const encode = (s: unknown) => encodeURIComponent(String(s).toWellFormed());

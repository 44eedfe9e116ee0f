// The one pagination helper with one budget: /v2 Link paging, vendor REST pages (Link, page
// numbers, next tokens) and SDK next tokens all go through pages(). Each listing gets one budget
// of pages, items, bytes and time; a cursor seen before ends the listing; a URL cursor may not
// leave the origin the listing started on (a Link to another host would take our credentials).
import { RegistryError } from "./errors";

export interface BudgetLimits {
  pages: number;
  items: number;
  /** bytes of answers, as counted by the page fetcher */
  bytes: number;
  /** wall time of the whole listing */
  ms: number;
}

export const DEFAULT_BUDGET: Readonly<BudgetLimits> = Object.freeze({ pages: 1_000, items: 200_000, bytes: 256 * 1024 * 1024, ms: 120_000 });

export interface Page<T, C> {
  items: T[];
  /** the cursor of the following page; absent (or undefined) on the last */
  next?: C;
  /** size of the answer, for the byte budget */
  bytes?: number;
}

export interface PagesOptions<T, C> {
  /** error context, e.g. "listing tags of ghcr.io/acme/api" */
  what: string;
  first: C;
  fetch: (cursor: C) => Promise<Page<T, C>>;
  /** URL cursors (or strings that are URLs) must keep this origin; default: the first cursor's origin when it is a URL */
  origin?: string | URL;
  budget?: Partial<BudgetLimits>;
  /** a page that is empty yet links onwards ends the listing (registry:2 catalog, GHCR n=0 loops) */
  stopOnEmpty?: boolean;
  now?: () => number;
}

function key(cursor: unknown): string {
  return cursor instanceof URL ? cursor.href : typeof cursor === "string" ? cursor : JSON.stringify(cursor);
}

function originOf(cursor: unknown): string | undefined {
  if (cursor instanceof URL) return cursor.origin;
  if (typeof cursor === "string" && /^https?:\/\//i.test(cursor)) {
    try {
      return new URL(cursor).origin;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Yields each page's items in order, within one budget; throws a RegistryError (MALFORMED / DENIED) when a limit is passed. */
export async function* pages<T, C>(opts: PagesOptions<T, C>): AsyncGenerator<T[]> {
  const limits = { ...DEFAULT_BUDGET, ...Object.fromEntries(Object.entries(opts.budget ?? {}).filter(([, v]) => v !== undefined)) } as BudgetLimits;
  const now = opts.now ?? Date.now;
  const started = now();
  const origin = opts.origin !== undefined ? new URL(String(opts.origin)).origin : originOf(opts.first);
  const seen = new Set<string>();
  let items = 0;
  let bytes = 0;
  const fail = (codes: string[], reason: string, cursor: C) =>
    new RegistryError({ context: opts.what, codes, method: "GET", url: originOf(cursor) ? String(cursor instanceof URL ? cursor.href : cursor) : (origin ?? "about:blank"), reason });
  let cursor: C | undefined = opts.first;
  // "" is a valid first cursor (the page before any next token); a fetcher ends the listing with undefined
  for (let page = 0; cursor !== undefined && cursor !== null; page++) {
    const k = key(cursor);
    if (seen.has(k)) return; // a loop: what was listed is all there is
    seen.add(k);
    if (page > 0) {
      const o = originOf(cursor);
      if (origin && o && o !== origin) throw fail(["DENIED"], `the next page is on another host (${new URL(o).host}) than ${origin}; not followed (it would receive our credentials)`, cursor);
      if (page >= limits.pages) throw fail(["MALFORMED"], `more than ${limits.pages} pages; stopped`, cursor);
      if (now() - started > limits.ms) throw fail(["TIMEOUT"], `listing took longer than ${Math.round(limits.ms / 1000)} s over ${page} pages; stopped`, cursor);
    }
    const result: Page<T, C> = await opts.fetch(cursor);
    items += result.items.length;
    bytes += result.bytes ?? 0;
    if (items > limits.items) throw fail(["MALFORMED"], `more than ${limits.items} items; stopped`, cursor);
    if (bytes > limits.bytes) throw fail(["MALFORMED"], `answers larger than ${limits.bytes} bytes in all; stopped`, cursor);
    yield result.items;
    if (opts.stopOnEmpty && result.items.length === 0) return;
    cursor = result.next;
  }
}

/** Every item of every page (for listings that want them all). */
export async function allPages<T, C>(opts: PagesOptions<T, C>): Promise<T[]> {
  const out: T[] = [];
  for await (const items of pages(opts)) out.push(...items);
  return out;
}

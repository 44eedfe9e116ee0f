// State kept once per process. Next builds the pages, the route handlers and instrumentation into
// separate bundles, and each bundle holds its own copy of a module it uses: a module's scope is one
// per bundle, not one per process (the built server held lib/registry/lanes.ts in three chunks).
// What must be one per process (limits and lanes, caches that are shared or forgotten, queues,
// pools, metrics, the logger) is made here, under its name, on globalThis.
const STORE = Symbol.for("regatta.processWide");

const store: Map<string, unknown> = ((globalThis as { [STORE]?: Map<string, unknown> })[STORE] ??= new Map());

/** The process's one `name`, made by `init` the first time any bundle asks for it. */
export function processWide<T>(name: string, init: () => T): T {
  if (!store.has(name)) store.set(name, init());
  return store.get(name) as T;
}

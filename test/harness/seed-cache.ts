// Content built once per test run and reused by every process of that run: the standard seed's
// registry storage (a template registry seeded over HTTP once, then copied into each later
// registry's storage: same digests, same tags, served by registry:2 from disk) and the big
// images' OCI layouts.
//
// Where: $REGATTA_SEED_CACHE when set (the vitest globalSetup sets a fresh dir per run and removes
// it after), else .test-data/seed-cache/<hash of the harness sources that build the content>.
// Entries are built in a temp dir and renamed into place, so processes that race both build and
// one wins; nothing is ever half there.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DEFAULT_BASE_DIR, run } from "./proc";
import type { RunningRegistry } from "./registry";

const here = import.meta.dirname;
const SOURCES = ["seed.ts", "seed-cache.ts", "images.ts", "skopeo.ts", "http.ts"];

let root: string | undefined;
export function seedCacheRoot(): string {
  if (process.env.REGATTA_SEED_CACHE) return process.env.REGATTA_SEED_CACHE;
  if (!root) {
    const h = crypto.createHash("sha256");
    for (const f of SOURCES) h.update(f).update(fs.readFileSync(path.join(here, f)));
    root = path.join(path.dirname(DEFAULT_BASE_DIR), "seed-cache", h.digest("hex").slice(0, 16));
  }
  return root;
}

/** Whether the cache persists across runs (only then large entries are kept out of it). */
export const perRunCache = () => Boolean(process.env.REGATTA_SEED_CACHE);

const inflight = new Map<string, Promise<string>>();

/**
 * The cache entry `name` (a directory), built by `build(tmpDir)` when absent. `ready` names a file
 * that exists in a complete entry.
 */
export function cacheEntry(name: string, ready: string, build: (dir: string) => Promise<void>): Promise<string> {
  let p = inflight.get(name);
  if (!p) {
    p = (async () => {
      const dir = path.join(seedCacheRoot(), name);
      if (fs.existsSync(path.join(dir, ready))) return dir;
      fs.mkdirSync(seedCacheRoot(), { recursive: true });
      const tmp = fs.mkdtempSync(path.join(seedCacheRoot(), `.${name}-${process.pid}-`));
      try {
        fs.chmodSync(tmp, 0o755);
        await build(tmp);
        try {
          fs.renameSync(tmp, dir);
        } catch (err) {
          // another process finished first: use its entry
          if (!fs.existsSync(path.join(dir, ready))) throw err;
        }
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
      return dir;
    })();
    p.catch(() => inflight.delete(name));
    inflight.set(name, p);
  }
  return p;
}

/** Real copies (`cp -a`: modes and owners kept), never hard links: the registry rewrites link files in place. */
export async function copyTree(from: string, to: string): Promise<void> {
  fs.mkdirSync(to, { recursive: true });
  await run("cp", ["-a", `${from}/.`, to]);
}

/** Whether `reg` reports pushes to notification endpoints (then content must arrive over HTTP, as events). */
export function hasNotifications(reg: RunningRegistry): boolean {
  try {
    return /^notifications:/m.test(fs.readFileSync(reg.configPath, "utf8"));
  } catch {
    return true;
  }
}

/** The registry's filesystem-driver root (distribution registry/storage/paths.go: <rootdirectory>/docker/registry/v2). */
export const storageRoot = (reg: RunningRegistry) => path.join(reg.dataDir, "docker", "registry", "v2");

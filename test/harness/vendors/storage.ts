// What a vendor's backend knows of a registry:2 it fronts, read straight from the registry's
// filesystem storage (distribution 2.8 layout): repositories, tags, digests, manifests and the
// moment each manifest and tag link was written. The ECR and Google stand-ins answer their
// metadata APIs from it, as the vendors answer from their own stores.
import fs from "node:fs";
import path from "node:path";

export interface StoredManifest { digest: string; mediaType: string; bytes: Buffer; json: any; uploadedAt: Date }
export interface StoredTag { tag: string; digest: string; updatedAt: Date }

const root = (dataDir: string) => path.join(dataDir, "docker", "registry", "v2");
const repoDir = (dataDir: string, repo: string) => path.join(root(dataDir), "repositories", repo);

/** Every repository name, sorted (a directory holding `_manifests`). */
export function storedRepositories(dataDir: string): string[] {
  const base = path.join(root(dataDir), "repositories");
  const out: string[] = [];
  const walk = (dir: string, prefix: string) => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    if (entries.some((e) => e.name === "_manifests")) out.push(prefix);
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith("_")) walk(path.join(dir, e.name), prefix ? `${prefix}/${e.name}` : e.name);
  };
  walk(base, "");
  return out.filter(Boolean).sort();
}

export function storedTags(dataDir: string, repo: string): StoredTag[] {
  const dir = path.join(repoDir(dataDir, repo), "_manifests", "tags");
  let names: string[];
  try { names = fs.readdirSync(dir); } catch { return []; }
  return names.flatMap((tag) => {
    const link = path.join(dir, tag, "current", "link");
    try {
      return [{ tag, digest: fs.readFileSync(link, "utf8").trim(), updatedAt: fs.statSync(link).mtime }];
    } catch { return []; }
  }).sort((a, b) => a.tag.localeCompare(b.tag));
}

export function storedManifest(dataDir: string, repo: string, digest: string): StoredManifest | null {
  const hex = digest.replace(/^sha256:/, "");
  const link = path.join(repoDir(dataDir, repo), "_manifests", "revisions", "sha256", hex, "link");
  try {
    const uploadedAt = fs.statSync(link).mtime;
    const bytes = fs.readFileSync(path.join(root(dataDir), "blobs", "sha256", hex.slice(0, 2), hex, "data"));
    const json = JSON.parse(bytes.toString("utf8"));
    const mediaType = json.mediaType ?? (json.manifests ? "application/vnd.oci.image.index.v1+json" : "application/vnd.oci.image.manifest.v1+json");
    return { digest, mediaType, bytes, json, uploadedAt };
  } catch { return null; }
}

/** Compressed size as vendors report it: the layers of an image; the children's layers for an index. */
export function imageSize(dataDir: string, repo: string, m: StoredManifest): number {
  if (Array.isArray(m.json.layers)) return m.json.layers.reduce((n: number, l: { size: number }) => n + l.size, 0);
  if (Array.isArray(m.json.manifests)) {
    return m.json.manifests.reduce((n: number, d: { digest: string; size: number }) => {
      const child = storedManifest(dataDir, repo, d.digest);
      return n + (child ? imageSize(dataDir, repo, child) : 0);
    }, 0);
  }
  return m.bytes.length;
}

/** The image config's `created` (what GitLab reports as a tag's created_at), or undefined. */
export function configCreated(dataDir: string, m: StoredManifest): Date | undefined {
  const digest: unknown = m.json?.config?.digest;
  if (typeof digest !== "string" || !digest.startsWith("sha256:")) return undefined;
  const hex = digest.slice(7);
  try {
    const cfg = JSON.parse(fs.readFileSync(path.join(root(dataDir), "blobs", "sha256", hex.slice(0, 2), hex, "data"), "utf8"));
    const t = Date.parse(cfg.created);
    return Number.isNaN(t) ? undefined : new Date(t);
  } catch { return undefined; }
}

/** Removes one tag and keeps the manifest (registry 2.8 has no DELETE by tag; the vendors do). */
export function removeStoredTag(dataDir: string, repo: string, tag: string): boolean {
  const dir = path.join(repoDir(dataDir, repo), "_manifests", "tags", tag);
  if (!fs.existsSync(dir)) return false;
  fs.rmSync(dir, { recursive: true, force: true });
  return true;
}

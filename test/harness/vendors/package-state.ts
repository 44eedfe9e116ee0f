// What the GitHub and GitLab stand-ins answer from: the real state of a harness registry (read
// from its storage by ./storage: repositories, tags, every manifest revision and their times), or
// an in-memory state for handler-level unit tests. Vendor APIs answer from the same data /v2
// serves, so browsing through the REST API matches the registry.
import fs from "node:fs";
import path from "node:path";
import { registryFetch } from "../http";
import type { RunningRegistry } from "../registry";
import { configCreated, imageSize, removeStoredTag, storedManifest, storedRepositories, storedTags } from "./storage";

export interface PackageVersion {
  digest: string;
  /** when the digest first landed in the repository */
  createdAt: Date;
  /** the last time a tag was put on it */
  updatedAt: Date;
  tags: string[];
  /** compressed size as vendors report it */
  size: number;
  /** the image config's `created` (build time), when the manifest is an image with a readable config */
  builtAt?: Date;
}

export interface PackageState {
  /** the /v2 host the vendor reports in `location` fields */
  host: string;
  repositories(): string[];
  /** every manifest of the repository, tagged or not (an index's children too), newest first */
  versions(repository: string): PackageVersion[];
  /** remove one tag only (what a vendor "delete tag" API does) */
  untag(repository: string, tag: string): Promise<void>;
  /** remove a manifest and every tag on it */
  deleteDigest(repository: string, digest: string): Promise<void>;
}

/** State read from a running harness registry's storage; digest deletes go through its /v2 API. */
export function packageState(reg: RunningRegistry): PackageState {
  const dataDir = reg.dataDir;
  const revisions = (repository: string) => path.join(dataDir, "docker", "registry", "v2", "repositories", repository, "_manifests", "revisions", "sha256");
  return {
    host: reg.host,
    repositories: () => storedRepositories(dataDir),
    versions(repository) {
      const byDigest = new Map<string, PackageVersion>();
      let hexes: string[] = [];
      try { hexes = fs.readdirSync(revisions(repository)); } catch { /* no such repository */ }
      for (const hex of hexes) {
        const m = storedManifest(dataDir, repository, `sha256:${hex}`);
        if (m) byDigest.set(m.digest, { digest: m.digest, createdAt: m.uploadedAt, updatedAt: m.uploadedAt, tags: [], size: imageSize(dataDir, repository, m), builtAt: configCreated(dataDir, m) });
      }
      for (const t of storedTags(dataDir, repository)) {
        const v = byDigest.get(t.digest);
        if (!v) continue;
        v.tags.push(t.tag);
        if (t.updatedAt > v.updatedAt) v.updatedAt = t.updatedAt;
      }
      return [...byDigest.values()].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || a.digest.localeCompare(b.digest));
    },
    async untag(repository, tag) {
      removeStoredTag(dataDir, repository, tag);
    },
    async deleteDigest(repository, digest) {
      const res = await registryFetch(reg, `/v2/${repository}/manifests/${digest}`, { method: "DELETE", scopes: [`repository:${repository}:delete`] });
      if (res.status !== 202) throw new Error(`deleting ${repository}@${digest}: ${res.status} ${await res.text()}`);
    },
  };
}

/** An in-memory state: repository → tag → digest (times and sizes made up but stable; `built`: digest → config created). */
export function memoryState(repos: Record<string, Record<string, string>>, host = "registry.test", built: Record<string, string> = {}): PackageState & { repos: typeof repos } {
  const base = Date.parse("2026-01-01T00:00:00Z");
  return {
    host,
    repos,
    repositories: () => Object.keys(repos).sort(),
    versions(repository) {
      const byDigest = new Map<string, PackageVersion>();
      Object.entries(repos[repository] ?? {}).forEach(([tag, digest], i) => {
        const at = new Date(base + i * 60_000);
        const v = byDigest.get(digest) ?? { digest, createdAt: at, updatedAt: at, tags: [], size: 1000 + i, builtAt: new Date(built[digest] ?? at) };
        v.tags.push(tag);
        v.updatedAt = at;
        byDigest.set(digest, v);
      });
      return [...byDigest.values()].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
    },
    async untag(repository, tag) {
      delete repos[repository]?.[tag];
    },
    async deleteDigest(repository, digest) {
      for (const [tag, d] of Object.entries(repos[repository] ?? {})) if (d === digest) delete repos[repository][tag];
    },
  };
}

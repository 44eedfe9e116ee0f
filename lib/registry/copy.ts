// Image copy and retag (after ggcr remote/write.go and crane copy): blobs first, then child
// manifests by digest, the target tag last, so a failure never leaves a half-made tag.
import type { RegistryClient } from "./client";
import { referrersIndex, walkImage } from "./image-graph";
import { validateManifestReference } from "./manifests";
import { OCI_INDEX } from "./media-types";
import { repositoryScope, validateRepository, validateTag } from "./reference";
import { PULL, PUSH_PULL } from "./scope";
import { referrersTag } from "./referrers";
import { RegistryError } from "./errors";
import { mapLimit } from "@/lib/concurrency";
import { processWide } from "@/lib/process-wide";
import { LRUCache } from "lru-cache";
import { manifestLinks, type Descriptor, type Manifest } from "./types";

export interface CopySource {
  client: RegistryClient;
  repository: string;
  /** Tag or digest. */
  reference: string;
}

export interface CopyTarget {
  client: RegistryClient;
  repository: string;
  tag: string;
}

export interface CopyProgress {
  bytesDone: number;
  bytesTotal: number;
  blobsDone: number;
  blobsTotal: number;
}

export interface CopyOptions {
  /** HEAD requests only: report the plan, write nothing. */
  dryRun?: boolean;
  /** Blobs in flight at once (default 6, DEFAULT_COPY_CONCURRENCY). */
  concurrency?: number;
  onProgress?(progress: CopyProgress): void;
  /** Also copy the referrers (signatures, SBOMs) of the root digest. */
  referrers?: boolean;
  signal?: AbortSignal;
  /**
   * Repositories of the TARGET registry known to hold each digest (the caller's index; this
   * library keeps none). A missing blob with a candidate is mounted from the first one
   * (POST ?mount=&from=, OCI distribution spec "Mounting a blob from another repository")
   * instead of uploaded; a refused mount falls back to the upload. Asked once per copy, with
   * the digests missing from the target; a failure here only means no mounts.
   */
  mountCandidates?(digests: string[], signal?: AbortSignal): Promise<ReadonlyMap<string, readonly string[]>>;
  /** What a HEAD of the target tag answered a moment ago (null: no such tag): not asked again. */
  targetHead?: { digest: string } | null;
}

export interface PlannedBlob {
  digest: string;
  size: number;
  action: "exists" | "mount" | "copy";
  /** "mount": the repository of the target registry it is mounted from. */
  from?: string;
}

export interface CopyPlan {
  source: string;
  target: string;
  existingTargetDigest?: string;
  /** Manifests to write: children and referrers by digest, plus the root by tag (0 for a no-op). */
  manifests: number;
  blobs: PlannedBlob[];
  /** Bytes that travel through this process ("copy" blobs; a mount moves none). */
  bytesToCopy: number;
  /** The target tag already points at the source digest. */
  noop: boolean;
  referrers: number;
}

export interface CopyResult {
  digest: string;
  mediaType: string;
  plan: CopyPlan;
  bytesCopied: number;
}

/**
 * Blobs in flight at once: skopeo's (containers/image) six parallel layer copies. An image of four
 * layers and a config is then one round instead of two; the transport still bounds requests per host.
 */
export const DEFAULT_COPY_CONCURRENCY = 6;
const PROGRESS_STEP = 1024 * 1024;

/**
 * Blobs this process is putting into a repository (upload or mount), and those it put there in the
 * last 15 s, by registry endpoint, repository and digest. Copies of one image into one repository
 * at the same moment (a bulk promotion of tags that share a digest) put each blob once: the others
 * wait for it, then count it as there. registry 2.8 rewrites a blob's link file on every upload of
 * it, not atomically: a manifest PUT that read the link mid-write answered MANIFEST_BLOB_UNKNOWN and
 * DIGEST_INVALID (e2e, 10 tags of one digest promoted at once).
 */
const blobsPut = processWide("registryBlobsPut", () => ({
  running: new Map<string, Promise<void>>(),
  // long enough to cover a copy's HEADs before its uploads begin; a registry that lost a blob
  // since is caught by the manifest PUT (below)
  done: new LRUCache<string, true>({ max: 20_000, ttl: 15_000 }),
}));
const blobKey = (target: CopyTarget, digest: string) => `${target.client.endpoint.href}\n${target.repository}\n${digest}`;

/**
 * `put` unless this process has put the same blob into the same repository a moment ago or is
 * putting it now (then its outcome: a failed one is tried again here). True when this call put it.
 */
async function putBlobOnce(target: CopyTarget, digest: string, put: () => Promise<void>): Promise<boolean> {
  const key = blobKey(target, digest);
  if (blobsPut.done.has(key)) return false;
  const running = blobsPut.running.get(key);
  if (running && (await running.then(() => true, () => false))) return false;
  const mine = put().then(() => void blobsPut.done.set(key, true));
  blobsPut.running.set(key, mine);
  try {
    await mine;
    return true;
  } finally {
    if (blobsPut.running.get(key) === mine) blobsPut.running.delete(key);
  }
}

/** Same endpoint: the registry can link a blob itself (POST ?mount=&from=), no bytes move. */
function inOneRegistry(source: Pick<CopySource, "client">, target: Pick<CopyTarget, "client">): boolean {
  return source.client.endpoint.href === target.client.endpoint.href;
}

/**
 * The token scopes a copy into `target` writes with: push and pull there, and pull on the source's
 * repository when both are in one registry (a mount names it). A caller that HEADs the target
 * before a copy may ask for these at once, so the copy finds its token cached.
 */
export function copyScopes(source: Pick<CopySource, "client" | "repository">, target: Pick<CopyTarget, "client" | "repository">): string[] {
  return [repositoryScope(target.repository, [...PUSH_PULL]), ...(inOneRegistry(source, target) ? [repositoryScope(source.repository, [...PULL])] : [])];
}

export async function copyImage(source: CopySource, target: CopyTarget, options: CopyOptions = {}): Promise<CopyResult> {
  validateRepository(source.repository);
  validateManifestReference(source.reference);
  validateRepository(target.repository);
  validateTag(target.tag);
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_COPY_CONCURRENCY);
  const src = source.client;
  const dst = target.client;
  const sameRegistry = inOneRegistry(source, target);
  // A copy that goes on to write asks, with its first request to the target, for the token its
  // uploads and mounts need: one token request instead of two. A plan only reads.
  const tokenScopes = options.dryRun ? undefined : copyScopes(source, target);

  // the source's manifest and the target tag's state are independent: asked at once
  const [root, existing] = await Promise.all([
    src.getManifest(source.repository, source.reference, options.signal),
    options.targetHead !== undefined ? options.targetHead : dst.headManifest(target.repository, target.tag, options.signal, tokenScopes),
  ]);
  const plan: CopyPlan = {
    source: `${src.registry}/${source.repository}@${root.digest}`,
    target: `${dst.registry}/${target.repository}:${target.tag}`,
    existingTargetDigest: existing?.digest,
    manifests: 0,
    blobs: [],
    bytesToCopy: 0,
    noop: existing?.digest === root.digest,
    referrers: 0,
  };
  const result = { digest: root.digest, mediaType: root.mediaType, plan, bytesCopied: 0 };
  if (plan.noop) return result;

  const graph = await walkImage(src, source.repository, root, concurrency, options.signal);
  let referrerDescriptors: Descriptor[] = [];
  const referrerManifests: Manifest[] = [];
  if (options.referrers) {
    referrerDescriptors = await src.referrers(source.repository, root.digest, undefined, options.signal);
    for (const d of referrerDescriptors) {
      const manifest = await src.getManifest(source.repository, d.digest, options.signal);
      const sub = await walkImage(src, source.repository, manifest, concurrency, options.signal);
      graph.children.push(...sub.children);
      for (const b of sub.blobs) if (!graph.blobs.some((x) => x.digest === b.digest)) graph.blobs.push(b);
      referrerManifests.push(manifest);
    }
  }
  plan.referrers = referrerManifests.length;
  plan.manifests = graph.children.length + referrerManifests.length + 1;

  // Another registry: the caller's index is asked while the target is HEADed (both are needed
  // only for the blobs the target lacks, and neither waits for the other)
  const candidates = !sameRegistry && options.mountCandidates && graph.blobs.length > 0
    ? options.mountCandidates(graph.blobs.map((b) => b.digest), options.signal).catch(() => new Map<string, readonly string[]>())
    : undefined;
  candidates?.catch(() => {});
  plan.blobs = await mapLimit(graph.blobs, concurrency, async (blob): Promise<PlannedBlob> => {
    const size = await dst.headBlob(target.repository, blob.digest, options.signal, tokenScopes);
    if (size !== null) return { digest: blob.digest, size: blob.size, action: "exists" };
    return sameRegistry ? { digest: blob.digest, size: blob.size, action: "mount", from: source.repository } : { digest: blob.digest, size: blob.size, action: "copy" };
  });
  // Another registry: a blob some repository of the target already holds is mounted from there.
  const missing = plan.blobs.filter((b) => b.action === "copy");
  if (candidates && missing.length > 0) {
    const known = await candidates;
    for (const b of missing) {
      const from = known.get(b.digest)?.find((r) => r !== target.repository && isRepositoryName(r));
      if (from) Object.assign(b, { action: "mount", from });
    }
  }
  plan.bytesToCopy = bytesToCopy(plan.blobs);
  if (options.dryRun) return result;

  result.bytesCopied = await transferBlobs(source, target, plan, concurrency, options);
  const writeManifests = () => putManifests(target, root, graph.children, referrerDescriptors, referrerManifests, concurrency, options.signal);
  try {
    await writeManifests();
  } catch (e) {
    if (!(e instanceof RegistryError) || !BLOB_NOT_THERE.some((code) => e.hasCode(code)) || options.signal?.aborted) throw e;
    // A blob the manifest names was not there: another writer (another instance) was rewriting its
    // link file, or the registry lost a blob this process put a moment ago. Once more: every blob
    // HEADed again, the missing ones sent, then the manifests.
    for (const b of plan.blobs) blobsPut.done.delete(blobKey(target, b.digest));
    const gone = (await mapLimit(plan.blobs, concurrency, async (b) => ((await dst.headBlob(target.repository, b.digest, options.signal)) === null ? b : undefined))).filter((b) => b !== undefined);
    const again = gone.map((b): PlannedBlob => (sameRegistry ? { digest: b.digest, size: b.size, action: "mount", from: source.repository } : { digest: b.digest, size: b.size, action: "copy" }));
    result.bytesCopied += await transferBlobs(source, target, { ...plan, blobs: again, bytesToCopy: bytesToCopy(again) }, concurrency, options);
    await writeManifests();
  }
  return result;
}

const bytesToCopy = (blobs: PlannedBlob[]) => blobs.filter((b) => b.action === "copy").reduce((sum, b) => sum + b.size, 0);

/** What a manifest PUT answers when a blob it names is not (or not yet wholly) in the repository. */
const BLOB_NOT_THERE = ["MANIFEST_BLOB_UNKNOWN", "BLOB_UNKNOWN", "DIGEST_INVALID"] as const;

/** Child manifests by digest, then the referrers, then the tag. */
async function putManifests(target: CopyTarget, root: Manifest, children: Manifest[], referrerDescriptors: Descriptor[], referrerManifests: Manifest[], concurrency: number, signal?: AbortSignal): Promise<void> {
  const dst = target.client;
  // Children (and children of children) by digest before anything refers to them: the images
  // (they refer to blobs only) at once, then the nested indexes in order, innermost first.
  const nested = (m: Manifest) => manifestLinks(m.json).manifests.length > 0;
  await mapLimit(children.filter((c) => !nested(c)), concurrency, (child) => dst.putManifest(target.repository, child.digest, child.bytes, child.mediaType, signal));
  for (const child of children.filter(nested)) {
    await dst.putManifest(target.repository, child.digest, child.bytes, child.mediaType, signal);
  }
  if (referrerManifests.length > 0) {
    await dst.putManifest(target.repository, root.digest, root.bytes, root.mediaType, signal);
    await pushReferrers(target, root.digest, referrerDescriptors, referrerManifests, signal);
  }
  // The tag last: only now is every blob and child manifest it reaches present.
  await dst.putManifest(target.repository, target.tag, root.bytes, root.mediaType, signal);
}

/** Mounts or streams every missing blob with bounded parallelism; the first failure stops the rest. */
async function transferBlobs(source: CopySource, target: CopyTarget, plan: CopyPlan, concurrency: number, options: CopyOptions): Promise<number> {
  const work = plan.blobs.filter((b) => b.action !== "exists");
  const progress: CopyProgress = { bytesDone: 0, bytesTotal: plan.bytesToCopy, blobsDone: 0, blobsTotal: work.length };
  let reported = 0;
  const report = (force: boolean) => {
    if (!options.onProgress || (!force && progress.bytesDone - reported < PROGRESS_STEP)) return;
    reported = progress.bytesDone;
    options.onProgress({ ...progress });
  };
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;

  const copy = async (blob: PlannedBlob) => {
    const sent = { bytes: 0 };
    try {
      await copyOnce(blob, sent);
    } catch (e) {
      // A streamed upload cannot be replayed by the transport, but the blob can be sent again:
      // once, when the registry refused a token we still held (revoked, clock skew; the new POST
      // gets a fresh one) or failed for a passing reason (registry 2.8 answers 500 when two
      // uploads of one layer into one repository race on its link files).
      if (!(e instanceof RegistryError) || !(e.status === 401 || e.isTemporary()) || signal.aborted) throw e;
      progress.bytesDone -= sent.bytes;
      await copyOnce(blob, { bytes: 0 });
    }
  };

  const copyOnce = async (blob: PlannedBlob, sent: { bytes: number }) => {
    // The GET body goes straight into the upload: a layer is never held in memory whole. The GET
    // and the upload's POST go at once; the upload waits only for the source's answer.
    const counted = source.client.getBlob(source.repository, blob.digest, signal).then(({ stream }) => stream.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          progress.bytesDone += chunk.byteLength;
          sent.bytes += chunk.byteLength;
          report(false);
          controller.enqueue(chunk);
        },
      }),
    ));
    await target.client.uploadBlob(target.repository, blob.digest, blob.size, counted, { signal });
  };

  // a mount, or the bytes when the registry would not mount (or the blob is another registry's)
  const transfer = async (blob: PlannedBlob) => {
    if (blob.action === "mount") {
      const from = blob.from ?? source.repository;
      const mounted = await target.client.mountBlob(target.repository, blob.digest, from, signal).catch((e: unknown) => {
        // a candidate from the caller's index may be stale or out of the credentials' reach:
        // upload instead (the source's own repository is asked as before, its errors stand)
        if (from === source.repository || signal.aborted || !(e instanceof RegistryError) || e.isTemporary()) throw e;
        return "refused" as const;
      });
      // 202: not mounted; the session it opened takes a plain upload (uploadBlob picks it up).
      if (mounted === "mounted") return;
      progress.bytesTotal += blob.size;
    }
    await copy(blob);
  };

  await mapLimit(work, concurrency, async (blob) => {
    try {
      const put = await putBlobOnce(target, blob.digest, () => transfer(blob));
      // put there by another copy of this process a moment ago: nothing of it travels here
      if (!put && blob.action === "copy") progress.bytesTotal -= blob.size;
      progress.blobsDone++;
      report(true);
    } catch (e) {
      stop.abort(e);
      throw e;
    }
  });
  return progress.bytesDone;
}

/**
 * Pushes referrer manifests by digest. A registry without the referrers API (no OCI-Subject in
 * the answer) gets the `sha256-<hex>` index tag updated by us, as the spec's fallback requires.
 */
async function pushReferrers(target: CopyTarget, subject: string, descriptors: Descriptor[], manifests: Manifest[], signal?: AbortSignal): Promise<void> {
  const dst = target.client;
  let maintained = true;
  for (const m of manifests) {
    const put = await dst.putManifestDetailed(target.repository, m.digest, m.bytes, m.mediaType, signal);
    if (put.subject !== subject) maintained = false;
  }
  if (maintained) return;
  const tag = referrersTag(subject);
  let current: Descriptor[] = [];
  if (await dst.headManifest(target.repository, tag, signal)) {
    current = manifestLinks((await dst.getManifest(target.repository, tag, signal)).json).manifests;
  }
  const merged = [...current, ...descriptors.filter((d) => !current.some((c) => c.digest === d.digest))];
  if (merged.length !== current.length) await dst.putManifest(target.repository, tag, referrersIndex(merged), OCI_INDEX, signal);
}

function isRepositoryName(name: string): boolean {
  try {
    validateRepository(name);
    return true;
  } catch {
    return false;
  }
}

/** Retag inside one repository: GET (by digest or tag) and PUT of the same bytes, two requests. */
export async function retag(client: RegistryClient, repository: string, fromReference: string, toTag: string, signal?: AbortSignal): Promise<{ digest: string; mediaType: string }> {
  validateRepository(repository);
  validateManifestReference(fromReference);
  validateTag(toTag);
  const manifest = await client.getManifest(repository, fromReference, signal);
  await client.putManifest(repository, toTag, manifest.bytes, manifest.mediaType, signal);
  return { digest: manifest.digest, mediaType: manifest.mediaType };
}

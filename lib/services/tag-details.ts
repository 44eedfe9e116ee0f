import "server-only";
// Filling in the tag table: HEAD every tag (no pull counted on Docker Hub), record the digest in
// TagRecord, and read each digest PostgreSQL does not know yet exactly once (manifest + config
// blob) into ManifestInfo. A digest's content never changes, so ManifestInfo is kept forever.
import { LRUCache } from "lru-cache";
import { appendAudit } from "@/lib/audit/log";
import { db } from "@/lib/db";
import { isIndexMediaType, type Descriptor, type RegistryClient } from "@/lib/registry";
import { mapLimit, SharedFlights } from "@/lib/concurrency";
import { processWide } from "@/lib/process-wide";
import { needsDetails, type TagDetailsAnswer, type TagKind, type TagRow, type TagsAnswer } from "@/lib/schemas/browse";
import { knownTags } from "./browse";
import type { RegistryProvider, TagMetadata } from "@/lib/providers";
import { recordIndexBlobs, recordManifestBlobs } from "./blob-index";
import { registryWithClient } from "./clients";
import { recordTags, recordVendorPushes, type RecordedTags, type SeenTag } from "./tag-history";



/** HEADs in flight per details request; the transport also caps requests per host. */
const HEAD_CONCURRENCY = 12;
/** Manifest reads in flight per details request. */
const MANIFEST_CONCURRENCY = 6;
/** Config blobs above this are not read for a created date. */
const MAX_CONFIG_BYTES = 1024 * 1024;

interface Info {
  digest: string;
  mediaType: string;
  kind: TagKind;
  size: number;
  totalSize: bigint | null;
  platforms: string[];
  createdAt: Date | null;
  configDigest: string | null;
  artifactType: string | null;
}

interface Counter { head: number; manifest: number; blob: number }

// Reads of one digest in this process, shared by concurrent requests: two batches of the same
// repository whose tags point at one digest make one manifest request, not two. The state below is
// the process's, shared by the page and the routes (lib/process-wide.ts).
const described = processWide("manifestDescriptions", () => new SharedFlights<Info | null>());

/**
 * What a details request is for: "check", every tag asked of the registry now (the API's callers,
 * the table's "Re-check"); "fill", the tag table filling rows that lack details: a tag whose row
 * anyone checked in the last minute is taken from PostgreSQL, and a HEAD of it in this process in
 * flight or of the last 5 s is shared.
 */
export type HeadMode = "check" | "fill";

/** A row checked this recently (by any request or instance) is not HEADed again to fill a table. */
const RECENTLY_CHECKED_MS = 60_000;

type Head = Awaited<ReturnType<RegistryClient["headManifest"]>>;

// The tags' manifest HEADs of the last 5 s in this process (in flight, or answered and maybe not
// recorded yet), for a table's fill to share: two users on one cold repository, the page's first
// screen and the table's own request. A failed HEAD is forgotten at once. Bounded: 20,000 tags.
const heads = processWide("tagHeads", () => new LRUCache<string, Promise<Head>>({ max: 20_000, ttl: 5_000 }));

/** The HEAD of one tag: a fill shares one of the last seconds; a check always asks (and can be shared). */
function headOf(c: RegistryClient, registryId: string, repository: string, tag: string, mode: HeadMode, requests: Counter): Promise<Head> {
  const key = `${registryId}\n${repository}\n${tag}`;
  const seen = mode === "fill" ? heads.get(key) : undefined;
  if (seen) return seen;
  requests.head++;
  const head = c.headManifest(repository, tag);
  heads.set(key, head);
  head.catch(() => void (heads.get(key) === head && heads.delete(key)));
  return head;
}

/** `timing`, when given, gets where the time went (ms, for a Server-Timing header). */
export async function tagDetails(registryId: string, repository: string, tags: string[], timing?: Record<string, number>, mode: HeadMode = "check"): Promise<TagDetailsAnswer> {
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    if (timing) timing[name] = (timing[name] ?? 0) + (now - t);
    t = now;
  };
  const { client: c, provider } = await registryWithClient(registryId);
  lap("client");
  const names = [...new Set(tags)];
  const requests: Counter = { head: 0, manifest: 0, blob: 0 };

  // 0. filling a table: rows someone checked in the last minute (another batch, user or instance)
  // need no HEAD; their digest's details are known
  const recent = mode === "fill" ? await recentlyChecked(registryId, repository, names) : new Set<string>();
  const toHead = recent.size ? names.filter((n) => !recent.has(n)) : names;
  lap("recent");

  // 1. tag → digest, by HEAD; the vendor's pushed at / by (one listing per repository) alongside
  const [heads, vendor] = await Promise.all([
    mapLimit(toHead, HEAD_CONCURRENCY, async (tag) => ({ tag, head: await headOf(c, registryId, repository, tag, mode, requests) })),
    vendorMetadata(registryId, provider, repository, names),
  ]);
  lap("head");
  const recorded = await recordTags(registryId, repository, heads.flatMap((h) => (h.head ? [{ tag: h.tag, digest: h.head.digest }] : [])));
  // a tag that moved without Regatta or a registry event knowing: the audit log hears of it too
  await auditObserved(registryId, repository, { moved: recorded.moved }, "browse", recorded.at);
  await recordVendorPushes(registryId, repository, names.flatMap((tag) => {
    const m = vendor.get(tag);
    return m && (m.pushedAt || m.pushedBy) ? [{ tag, pushedAt: m.pushedAt, pushedBy: m.pushedBy }] : [];
  }));
  lap("record");

  // 2. each digest PostgreSQL does not know yet: one manifest read
  const digests = new Map<string, string>();
  for (const h of heads) if (h.head) digests.set(h.head.digest, h.head.mediaType);
  const known = new Set((await db.manifestInfo.findMany({ where: { digest: { in: [...digests.keys()] } }, select: { digest: true } })).map((m) => m.digest));
  await mapLimit([...digests.keys()].filter((d) => !known.has(d)), MANIFEST_CONCURRENCY, (digest) => describe(c, repository, digest, requests));
  lap("manifests");

  // 3. the rows as the tag list would show them now
  const rows = await knownTags(registryId, repository, names);
  lap("rows");
  return {
    tags: names.map((name): TagRow => rows.get(name) ?? { name, missing: true }),
    requests,
  };
}

/** Of `names`, the tags whose row was checked in the last RECENTLY_CHECKED_MS and whose digest's details are known. */
async function recentlyChecked(registryId: string, repository: string, names: string[]): Promise<Set<string>> {
  const rows = await db.$queryRaw<{ tag: string }[]>`
    SELECT r."tag" FROM "TagRecord" r JOIN "ManifestInfo" m ON m."digest" = r."digest"
    WHERE r."registryId" = ${registryId}::uuid AND r."repository" = ${repository} AND r."tag" = ANY(${names}::text[])
      AND r."checkedAt" > ${new Date(Date.now() - RECENTLY_CHECKED_MS).toISOString()}::timestamp(3)`;
  return new Set(rows.map((r) => r.tag));
}

/**
 * A cold table's first screen, filled before the page's HTML goes: the first `rows` of a first
 * page that lack details are asked for at once, and merged in if they are in within `budgetMs`
 * (else the page goes without them and the table asks; the work already begun finishes and is
 * recorded, so the table's own request finds most of it done). Bounded: `rows` tags, one call.
 */
export async function withFirstScreenDetails(registryId: string, repository: string, answer: TagsAnswer, rows: number, budgetMs: number): Promise<TagsAnswer> {
  const lacking = answer.tags.slice(0, rows).filter(needsDetails).map((t) => t.name);
  if (!lacking.length) return answer;
  const filled = tagDetails(registryId, repository, lacking, undefined, "fill");
  filled.catch((e: unknown) => console.error(`[regatta] first screen of ${repository}:`, e instanceof Error ? e.message : e));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const within = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), budgetMs);
  });
  const got = await Promise.race([filled.catch(() => undefined), within]);
  clearTimeout(timer);
  if (!got) return answer;
  const byName = new Map(got.tags.map((t) => [t.name, t]));
  return { ...answer, tags: answer.tags.flatMap((t) => {
    const f = byName.get(t.name);
    return f?.missing ? [] : [f ?? t];
  }) };
}

// A vendor's tag listing serves every batch of one table fill: kept a minute per repository
// (at most 1,000 repositories' listings; the least recently used goes first).
const vendorCache = processWide("vendorTagListings", () => new LRUCache<string, Promise<Map<string, TagMetadata>>>({ max: 1_000, ttl: 60_000 }));

function vendorMetadata(registryId: string, provider: RegistryProvider, repository: string, names: string[]): Promise<Map<string, TagMetadata>> {
  if (!provider.tagMetadata) return Promise.resolve(new Map());
  // a vendor read one tag per call (GitLab) is asked for this batch only, never the whole repository
  const read = (onlyTags: string[] | undefined, onError: () => void) =>
    provider.tagMetadata!(repository, onlyTags).then(
      (list) => new Map(list.map((m) => [m.tag, m])),
      (e) => {
        // the /v2 details still fill in; only pushed at / by stay empty
        console.error(`[regatta] vendor tag metadata for ${repository}:`, e instanceof Error ? e.message : e);
        onError();
        return new Map<string, TagMetadata>();
      },
    );
  if (provider.tagMetadataPerTag) return read(names, () => {});
  const key = `${registryId}/${repository}`;
  const hit = vendorCache.get(key);
  if (hit) return hit;
  const value = read(undefined, () => vendorCache.delete(key));
  vendorCache.set(key, value);
  return value;
}

export interface ObservedChanges {
  /** tags that appeared since `since` */
  added?: SeenTag[];
  since?: Date | null;
  moved?: RecordedTags["moved"];
  gone?: { tag: string; digest: string; checkedAt: Date }[];
}

/**
 * Tag changes seen by looking (the tag table's HEADs, the sync job), into the audit log: actor
 * "unknown" (a look cannot tell who), and the window in which the change happened.
 */
export async function auditObserved(registryId: string, repository: string, changes: ObservedChanges, observedBy: "browse" | "sync", at: Date) {
  const base = { actorKind: "REGISTRY" as const, actor: "unknown", outcome: "success" as const, registryId, repository };
  const window = (from: Date) => ({ observedBy, source: "SYNC", between: from.toISOString(), and: at.toISOString() });
  for (const a of changes.since ? (changes.added ?? []) : []) {
    await appendAudit({ ...base, action: "registry.push", tag: a.tag, digest: a.digest, previousDigest: null, details: window(changes.since!) });
  }
  for (const m of changes.moved ?? []) {
    await appendAudit({ ...base, action: "registry.push", tag: m.tag, digest: m.digest, previousDigest: m.previousDigest, details: window(m.previousCheckedAt) });
  }
  for (const g of changes.gone ?? []) {
    await appendAudit({ ...base, action: "registry.delete", tag: g.tag, digest: null, previousDigest: g.digest, details: window(g.checkedAt) });
  }
}

function describe(c: RegistryClient, repository: string, digest: string, requests: Counter): Promise<Info | null> {
  return described.run(digest, () => read(c, repository, digest, requests));
}

async function read(c: RegistryClient, repository: string, digest: string, requests: Counter): Promise<Info | null> {
  const stored = await db.manifestInfo.findUnique({ where: { digest } });
  if (stored) return stored as Info;
  requests.manifest++;
  const m = await c.getManifest(repository, digest);
  const json = m.json as { config?: Descriptor; layers?: Descriptor[]; blobs?: Descriptor[]; manifests?: Descriptor[]; artifactType?: string };
  let info: Info;
  if (isIndexMediaType(m.mediaType)) {
    const children = json.manifests ?? [];
    // attestation manifests (buildx) carry platform unknown/unknown: they are not a platform
    const images = children.filter((d) => d.platform?.os !== "unknown");
    const childInfos = await mapLimit(images, MANIFEST_CONCURRENCY, (d) => describe(c, repository, d.digest, requests));
    const sizes = childInfos.map((i) => i?.totalSize);
    const created = childInfos.map((i) => i?.createdAt?.getTime() ?? 0);
    info = {
      digest, mediaType: m.mediaType, kind: "index", size: m.size,
      totalSize: sizes.every((s) => s !== null && s !== undefined) ? sizes.reduce<bigint>((a, b) => a + b!, 0n) : null,
      platforms: images.map((d) => platformName(d.platform) ?? "").filter(Boolean),
      createdAt: Math.max(0, ...created) ? new Date(Math.max(...created)) : null,
      configDigest: null,
      artifactType: json.artifactType ?? null,
    };
  } else {
    const layers = [...(json.layers ?? []), ...(json.blobs ?? [])];
    const config = json.config;
    const isImage = !json.artifactType && !!config && (config.mediaType.includes("image.config") || config.mediaType.includes("container.image"));
    let created: Date | null = null;
    let platform: string | undefined;
    if (isImage && config.size <= MAX_CONFIG_BYTES) {
      requests.blob++;
      const cfg = JSON.parse(new TextDecoder().decode(await c.readBlob(repository, config.digest, config.size, MAX_CONFIG_BYTES))) as { created?: string; os?: string; architecture?: string; variant?: string };
      if (cfg.created && !Number.isNaN(Date.parse(cfg.created))) created = new Date(cfg.created);
      platform = platformName(cfg.os && cfg.architecture ? { os: cfg.os, architecture: cfg.architecture, variant: cfg.variant } : undefined);
    }
    info = {
      digest, mediaType: m.mediaType, kind: isImage ? "image" : "artifact", size: m.size,
      totalSize: BigInt((config?.size ?? 0) + layers.reduce((a, l) => a + l.size, 0)),
      platforms: platform ? [platform] : [],
      createdAt: created,
      configDigest: config?.digest ?? null,
      artifactType: isImage ? null : (json.artifactType ?? config?.mediaType ?? null),
    };
  }
  // the blobs it reaches, so a promotion to another repository of this registry can mount them
  if (info.kind === "index") {
    await recordIndexBlobs(digest, (json.manifests ?? []).map((d) => d.digest));
  } else {
    await recordManifestBlobs(digest, [...(json.config ? [json.config] : []), ...(json.layers ?? []), ...(json.blobs ?? [])]);
  }
  await db.manifestInfo.createMany({ data: [info], skipDuplicates: true });
  return info;
}

function platformName(p: { os: string; architecture: string; variant?: string } | undefined): string | undefined {
  return p ? [p.os, p.architecture, p.variant].filter(Boolean).join("/") : undefined;
}

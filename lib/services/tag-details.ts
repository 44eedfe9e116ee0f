import "server-only";
// Filling in the tag table: HEAD every tag (no pull counted on Docker Hub), record the digest in
// TagRecord, and read each digest PostgreSQL does not know yet exactly once (manifest + config
// blob) into ManifestInfo. A digest's content never changes, so ManifestInfo is kept forever.
import { LRUCache } from "lru-cache";
import { appendAudit } from "@/lib/audit/log";
import { db } from "@/lib/db";
import { isIndexMediaType, type Descriptor, type RegistryClient } from "@/lib/registry";
import { mapLimit, SharedFlights } from "@/lib/concurrency";
import { AHEAD_ROWS, needsDetails, TAG_DETAILS_BATCH, type TagDetailsAnswer, type TagKind, type TagRow, type TagsAnswer } from "@/lib/schemas/browse";
import { knownTags, listTags } from "./browse";
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
// repository whose tags point at one digest make one manifest request, not two.
const described = new SharedFlights<Info | null>();

/**
 * What a details request is for: "check", every tag asked of the registry now (the API's callers,
 * the table's "Re-check"); "fill", the tag table filling rows that lack details (a tag checked in
 * the last minute is taken from PostgreSQL, a HEAD in flight or made ahead is shared); "ahead", a
 * cold page's rows after its first screen, filled while the page's script loads (fillAhead).
 */
export type HeadMode = "check" | "fill" | "ahead";

/** A row checked this recently (by any request or instance) is not HEADed again to fill a table. */
const RECENTLY_CHECKED_MS = 60_000;

type Head = Awaited<ReturnType<RegistryClient["headManifest"]>>;
interface Flight { head: Promise<Head>; ahead: boolean; done: boolean }

/** How long a HEAD of a tag is remembered in this process (see `heads`). */
const HEAD_MEMORY_MS = 5_000;
// The tags' manifest HEADs of the last seconds in this process. A HEAD in flight is joined by the
// table's request for that tag; one made ahead of the table is handed to the table's request for
// it once (then forgotten); the fill ahead skips any tag HEADed here lately. A check joins nothing. Bounded: 20,000 tags, 5 s each. On globalThis: the page that fills ahead and the route
// the table asks are bundled apart by Next, each with its own copy of this module.
const g = globalThis as unknown as { regattaTagHeads?: LRUCache<string, Flight>; regattaTableAsked?: LRUCache<string, number> };
const heads = (g.regattaTagHeads ??= new LRUCache<string, Flight>({ max: 20_000, ttl: HEAD_MEMORY_MS }));
// When a table last asked to fill rows of a repository (ms): a fill ahead begun before that stops,
// the table asks for every row itself from then on (no HEAD made twice by the two running side by side)
const tableAsked = (g.regattaTableAsked ??= new LRUCache<string, number>({ max: 10_000, ttl: 60_000 }));

/** The HEAD of one tag for `mode`, or undefined when the fill ahead should leave it (HEADed lately). */
function headOf(c: RegistryClient, key: string, repository: string, tag: string, mode: HeadMode, requests: Counter): Promise<Head> | undefined {
  const seen = heads.get(key);
  if (mode === "ahead" && seen) return undefined;
  if (mode === "fill" && seen && (!seen.done || seen.ahead)) {
    if (seen.done) heads.delete(key);
    else seen.ahead = false; // in flight: its answer goes to this request, not to a later one
    return seen.head;
  }
  requests.head++;
  const flight: Flight = { head: c.headManifest(repository, tag), ahead: mode === "ahead", done: false };
  heads.set(key, flight);
  flight.head.then(
    () => void (flight.done = true),
    () => void (heads.get(key) === flight && heads.delete(key)), // a failed HEAD is not handed on
  );
  return flight.head;
}

/** `timing`, when given, gets where the time went (ms, for a Server-Timing header). */
/** `aheadSince` (mode "ahead"): when the fill ahead began; it stops once a table asks after that. */
export async function tagDetails(registryId: string, repository: string, tags: string[], timing?: Record<string, number>, mode: HeadMode = "check", aheadSince?: number): Promise<TagDetailsAnswer> {
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

  // 0. filling a table (or ahead of it): rows someone checked in the last minute (the table, the
  // page's fill ahead, another user or instance) need no HEAD; their digest's details are known
  if (mode === "fill") tableAsked.set(`${registryId}\n${repository}`, Date.now());
  const recent = mode !== "check" ? await recentlyChecked(registryId, repository, names) : new Set<string>();
  const toHead = recent.size ? names.filter((n) => !recent.has(n)) : names;
  lap("recent");

  // 1. tag → digest, by HEAD; the vendor's pushed at / by (one listing per repository) alongside
  const [heads, vendor] = await Promise.all([
    mapLimit(toHead, HEAD_CONCURRENCY, async (tag) => {
      if (aheadSince !== undefined && (tableAsked.get(`${registryId}\n${repository}`) ?? 0) >= aheadSince) return { tag, head: undefined };
      const head = headOf(c, `${registryId}\n${repository}\n${tag}`, repository, tag, mode, requests);
      return { tag, head: head && (await head) };
    }),
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

  // 3. the rows as the tag list would show them now (the fill ahead has no one to answer)
  const rows = mode === "ahead" ? new Map<string, TagRow>() : await knownTags(registryId, repository, names);
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
 * Once they are in, the rows after them are filled ahead (fillAhead), unless `ahead` is false.
 */
export async function withFirstScreenDetails(registryId: string, repository: string, answer: TagsAnswer, rows: number, budgetMs: number, ahead = true): Promise<TagsAnswer> {
  const lacking = answer.tags.slice(0, rows).filter(needsDetails).map((t) => t.name);
  if (!lacking.length) return answer;
  const filled = tagDetails(registryId, repository, lacking, undefined, "fill");
  const logError = (what: string) => (e: unknown) => console.error(`[regatta] ${what} of ${repository}:`, e instanceof Error ? e.message : e);
  if (ahead) filled.then(() => fillAhead(registryId, repository, lacking), () => {}).catch(logError("rows filled ahead"));
  filled.catch(logError("first screen"));
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

/**
 * A cold table's next rows, filled while the page's script loads and asks for the whole list
 * (~0.3–0.5 s in which the registry would otherwise wait): the first AHEAD_ROWS tags in name order
 * (the order the table asks in after its screenful) that lack details, `done` left out, in batches
 * like the table's, in the caller's registry lane, until the table's first request to fill rows of
 * the repository comes (from then on the table asks for every row itself; what is in flight is
 * shared, what is recorded is taken from PostgreSQL). Bounded: AHEAD_ROWS HEADs per call.
 */
export async function fillAhead(registryId: string, repository: string, done: string[]): Promise<void> {
  const skip = new Set(done);
  const page = await listTags(registryId, repository, done.length + AHEAD_ROWS, { recent: true });
  const lacking = page.tags.filter((t) => needsDetails(t) && !skip.has(t.name)).map((t) => t.name).slice(0, AHEAD_ROWS);
  const since = Date.now();
  for (let i = 0; i < lacking.length && (tableAsked.get(`${registryId}\n${repository}`) ?? 0) < since; i += TAG_DETAILS_BATCH) {
    await tagDetails(registryId, repository, lacking.slice(i, i + TAG_DETAILS_BATCH), undefined, "ahead", since);
  }
}

// A vendor's tag listing serves every batch of one table fill: kept a minute per repository
// (at most 1,000 repositories' listings; the least recently used goes first).
const vendorCache = new LRUCache<string, Promise<Map<string, TagMetadata>>>({ max: 1_000, ttl: 60_000 });

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

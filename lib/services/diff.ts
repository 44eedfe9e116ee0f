import "server-only";
// Image diff: "what changes if this goes to prod?" Two references, any registries. Each side is
// read through its registry's client (manifest, then the config blob of every image, bounded);
// an index is compared platform by platform.
import { badRequest } from "@/lib/errors";
import { isIndexMediaType, mapLimit, validateRepository, type Descriptor, type RegistryClient } from "@/lib/registry";
import type { ConfigChange, DiffAnswer, DiffReference, DiffSide, LayerRef } from "@/lib/schemas/diff";
import { registryClient } from "./clients";

/** Config blobs above this are not read (real ones are a few KiB). */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/** Platforms read per index; an index with more is refused rather than read without end. */
const MAX_PLATFORMS = 64;
const READ_CONCURRENCY = 4;

interface ImageConfigBlob {
  os?: string;
  architecture?: string;
  variant?: string;
  config?: {
    Env?: string[] | null;
    Labels?: Record<string, string> | null;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    User?: string;
    ExposedPorts?: Record<string, unknown> | null;
    WorkingDir?: string;
  };
  history?: { created_by?: string; empty_layer?: boolean }[];
}

interface Image {
  platform: string;
  configSize: number;
  layers: LayerRef[];
  config: ImageConfigBlob;
}

interface Side { head: DiffSide; images: Image[] }

export async function diffImages(from: DiffReference, to: DiffReference): Promise<DiffAnswer> {
  const [a, b] = await Promise.all([readSide(from), readSide(to)]);
  const answer: DiffAnswer = {
    from: a.head,
    to: b.head,
    config: { changed: [] },
    layers: { added: [], removed: [], shared: [] },
    platforms: { added: [], removed: [] },
    history: { added: [] },
    size: { from: sizeOf(a.images), to: sizeOf(b.images) },
  };
  // two single images are compared whatever their platforms; otherwise platform by platform
  const single = a.head.kind === "image" && b.head.kind === "image";
  const pairs: [Image, Image, string | undefined][] = [];
  if (single) {
    if (a.images[0] && b.images[0]) pairs.push([a.images[0], b.images[0], undefined]);
  } else {
    const byPlatform = new Map(b.images.map((i) => [i.platform, i]));
    const fromPlatforms = new Set(a.images.map((i) => i.platform));
    for (const i of a.images) {
      const other = byPlatform.get(i.platform);
      if (other) pairs.push([i, other, i.platform]);
      else answer.platforms.removed.push(i.platform);
    }
    answer.platforms.added = b.images.filter((i) => !fromPlatforms.has(i.platform)).map((i) => i.platform);
  }
  for (const [x, y, platform] of pairs) {
    const tagged = <T extends object>(o: T) => (platform ? { ...o, platform } : o);
    answer.config.changed.push(...configChanges(x, y).map(tagged));
    const l = layerChanges(x.layers, y.layers);
    answer.layers.added.push(...l.added.map(tagged));
    answer.layers.removed.push(...l.removed.map(tagged));
    answer.layers.shared.push(...l.shared.map(tagged));
    answer.history.added.push(...historyAdded(x.config, y.config).map((line) => tagged({ line })));
  }
  return answer;
}

async function readSide(ref: DiffReference): Promise<Side> {
  validateRepository(ref.repository);
  const c = await registryClient(ref.registryId);
  const m = await c.getManifest(ref.repository, ref.reference);
  const json = m.json as { config?: Descriptor; layers?: Descriptor[]; manifests?: (Descriptor & { platform?: { os: string; architecture: string; variant?: string } })[] };
  const base = { ...ref, digest: m.digest, mediaType: m.mediaType };
  if (isIndexMediaType(m.mediaType)) {
    // attestation manifests (buildx) carry platform unknown/unknown: they are not a platform
    const children = (json.manifests ?? []).filter((d) => d.platform && d.platform.os !== "unknown");
    if (children.length > MAX_PLATFORMS) throw badRequest(`${describe(ref)} is an index of ${children.length} platforms; at most ${MAX_PLATFORMS} are compared`);
    const images = await mapLimit(children, READ_CONCURRENCY, async (d) => {
      const child = await c.getManifest(ref.repository, d.digest);
      const cj = child.json as { config?: Descriptor; layers?: Descriptor[] };
      return readImage(c, ref, cj, platformName(d.platform!));
    });
    return { head: { ...base, kind: "index", platforms: images.map((i) => i.platform) }, images };
  }
  if (!json.config || !Array.isArray(json.layers)) throw badRequest(`${describe(ref)} is neither an image nor an index`);
  const image = await readImage(c, ref, json, undefined);
  return { head: { ...base, kind: "image", platforms: [image.platform] }, images: [image] };
}

async function readImage(c: RegistryClient, ref: DiffReference, m: { config?: Descriptor; layers?: Descriptor[] }, platform: string | undefined): Promise<Image> {
  // a hostile manifest is only JSON: descriptors are taken field by field, sizes as numbers or 0
  const layers = (Array.isArray(m.layers) ? m.layers : []).map((l): LayerRef => ({ digest: String(l?.digest), size: sizeNumber(l?.size), mediaType: typeof l?.mediaType === "string" ? l.mediaType : undefined }));
  let config: ImageConfigBlob = {};
  const configType = typeof m.config?.mediaType === "string" ? m.config.mediaType : "";
  const isImage = configType.includes("image.config") || configType.includes("container.image");
  if (isImage && sizeNumber(m.config!.size) <= MAX_CONFIG_BYTES) config = await readConfig(c, ref.repository, m.config!);
  // history entries that are not empty_layer map, in order, onto the layers
  const made = (Array.isArray(config.history) ? config.history : []).filter((h) => isRecord(h) && !h.empty_layer);
  if (made.length === layers.length) made.forEach((h, i) => typeof h.created_by === "string" && h.created_by && (layers[i].createdBy = h.created_by));
  const name = platform ?? platformName(config.os && config.architecture ? { os: config.os, architecture: config.architecture, variant: config.variant } : undefined);
  return { platform: name, configSize: sizeNumber(m.config?.size), layers, config };
}

/** The config blob, read no further than its descriptor's size (a registry may send more). */
async function readConfig(c: RegistryClient, repository: string, d: Descriptor): Promise<ImageConfigBlob> {
  const blob = await c.getBlob(repository, d.digest);
  const reader = blob.stream.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > d.size) {
      await reader.cancel().catch(() => {});
      throw badRequest(`the config blob ${d.digest} is larger than its descriptor says`);
    }
    parts.push(value);
  }
  try {
    const parsed = JSON.parse(Buffer.concat(parts).toString("utf8"));
    return isRecord(parsed) ? (parsed as ImageConfigBlob) : {};
  } catch {
    return {};
  }
}

function configChanges(a: Image, b: Image): ConfigChange[] {
  const out: ConfigChange[] = [];
  const x = isRecord(a.config.config) ? a.config.config : {};
  const y = isRecord(b.config.config) ? b.config.config : {};
  const env = (list: unknown) => new Map((Array.isArray(list) ? list : []).map((v) => { const e = String(v); const i = e.indexOf("="); return i < 0 ? [e, ""] : [e.slice(0, i), e.slice(i + 1)]; }));
  keyed(out, "env", env(x.Env), env(y.Env));
  const labels = (l: unknown) => new Map(isRecord(l) ? Object.entries(l).map(([k, v]) => [k, String(v)]) : []);
  keyed(out, "labels", labels(x.Labels), labels(y.Labels));
  const list = (v: unknown) => (Array.isArray(v) && v.length ? JSON.stringify(v) : null);
  const str = (v: unknown) => (v ? String(v) : null);
  const ports = (p: unknown) => (isRecord(p) && Object.keys(p).length ? Object.keys(p).sort().join(" ") : null);
  single(out, "entrypoint", list(x.Entrypoint), list(y.Entrypoint));
  single(out, "cmd", list(x.Cmd), list(y.Cmd));
  single(out, "user", str(x.User), str(y.User));
  single(out, "ports", ports(x.ExposedPorts), ports(y.ExposedPorts));
  single(out, "workingDir", str(x.WorkingDir), str(y.WorkingDir));
  single(out, "platform", a.platform || null, b.platform || null);
  return out;
}

function sizeNumber(n: unknown): number {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

function keyed(out: ConfigChange[], prefix: string, a: Map<string, string>, b: Map<string, string>) {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  for (const k of keys) single(out, `${prefix}.${k}`, a.get(k) ?? null, b.get(k) ?? null);
}

function single(out: ConfigChange[], key: string, from: string | null, to: string | null) {
  if (from !== to) out.push({ key, from, to });
}

/** Layers by digest, counting repeats: the same layer twice in `to` and once in `from` is one added. */
function layerChanges(a: LayerRef[], b: LayerRef[]) {
  const left = new Map<string, number>();
  for (const l of a) left.set(l.digest, (left.get(l.digest) ?? 0) + 1);
  const shared: LayerRef[] = [];
  const added: LayerRef[] = [];
  for (const l of b) {
    const n = left.get(l.digest) ?? 0;
    if (n > 0) {
      left.set(l.digest, n - 1);
      shared.push(l);
    } else added.push(l);
  }
  const removed: LayerRef[] = [];
  for (const l of [...a].reverse()) {
    const n = left.get(l.digest) ?? 0;
    if (n > 0) {
      left.set(l.digest, n - 1);
      removed.unshift(l);
    }
  }
  return { added, removed, shared };
}

function historyAdded(a: ImageConfigBlob, b: ImageConfigBlob): string[] {
  const lines = (c: ImageConfigBlob) => (Array.isArray(c.history) ? c.history : []).map((h) => (typeof h?.created_by === "string" ? h.created_by : "")).filter(Boolean);
  const seen = new Map<string, number>();
  for (const l of lines(a)) seen.set(l, (seen.get(l) ?? 0) + 1);
  const out: string[] = [];
  for (const l of lines(b)) {
    const n = seen.get(l) ?? 0;
    if (n > 0) seen.set(l, n - 1);
    else out.push(l);
  }
  return out;
}

function sizeOf(images: Image[]): number {
  return images.reduce((s, i) => s + i.configSize + i.layers.reduce((t, l) => t + l.size, 0), 0);
}

function platformName(p: { os: string; architecture: string; variant?: string } | undefined): string {
  return p ? [p.os, p.architecture, p.variant].filter(Boolean).join("/") : "";
}

function describe(r: DiffReference): string {
  return `${r.repository}:${r.reference}`;
}

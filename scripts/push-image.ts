// `npm run image:push -- <oci-layout-dir>[:tag] <registry>/<repository>:<tag> [--insecure]`
// Pushes an image from an OCI layout (`buildah push regatta oci:DIR:tag`, `skopeo copy … oci:DIR:tag`)
// to any registry with Regatta's own registry engine (lib/registry): blobs that are there already
// are skipped, index children go before their index, and the tag is written last. Credentials come
// from REGISTRY_USERNAME / REGISTRY_PASSWORD (never the command line). --insecure allows http.
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { RegistryClient } from "../lib/registry/client.ts";

interface Descriptor { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }
interface Manifest { mediaType?: string; config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[] }

const args = process.argv.slice(2);
const insecure = args.includes("--insecure");
const [from, to] = args.filter((a) => !a.startsWith("--"));
if (!from || !to) {
  console.error("usage: npm run image:push -- <oci-layout-dir>[:tag] <registry>/<repository>:<tag> [--insecure]");
  process.exit(2);
}

const [dir, wantTag] = from.includes(":") && !fs.existsSync(from) ? [from.slice(0, from.lastIndexOf(":")), from.slice(from.lastIndexOf(":") + 1)] : [from, undefined];
const m = /^([^/]+)\/(.+):([A-Za-z0-9_][A-Za-z0-9._-]{0,127})$/.exec(to);
if (!m) {
  console.error(`${to}: expected <registry host[:port]>/<repository>:<tag>`);
  process.exit(2);
}
const [, host, repository, tag] = m as unknown as [string, string, string, string];

const blobPath = (digest: string) => {
  const [alg, hex] = digest.split(":");
  if (!alg || !hex || !/^[a-z0-9]+$/.test(alg) || !/^[a-f0-9]+$/.test(hex)) throw new Error(`bad digest ${digest}`);
  return path.join(dir, "blobs", alg, hex);
};

const index = JSON.parse(fs.readFileSync(path.join(dir, "index.json"), "utf8")) as Manifest;
const top = (index.manifests ?? []).filter((d) => !wantTag || d.annotations?.["org.opencontainers.image.ref.name"] === wantTag);
if (top.length !== 1) throw new Error(`${dir}: ${top.length} images${wantTag ? ` tagged ${wantTag}` : ""} in the layout; name exactly one as DIR:tag`);

const username = process.env.REGISTRY_USERNAME;
const password = process.env.REGISTRY_PASSWORD;
const client = new RegistryClient({
  endpoint: `${insecure ? "http" : "https"}://${host}`,
  insecure,
  credentials: username && password ? { username, password } : undefined,
  userAgent: "regatta-image-push/0.1",
});

let uploaded = 0;
let skipped = 0;
let bytes = 0;

async function pushBlob(d: Descriptor) {
  if ((await client.headBlob(repository, d.digest)) !== null) {
    skipped++;
    return;
  }
  const file = blobPath(d.digest);
  const size = fs.statSync(file).size;
  if (size !== d.size) throw new Error(`${d.digest}: ${size} bytes in the layout, ${d.size} in its descriptor`);
  await client.uploadBlob(repository, d.digest, size, Readable.toWeb(fs.createReadStream(file)) as ReadableStream<Uint8Array>);
  uploaded++;
  bytes += size;
}

/** Pushes a manifest's blobs (or an index's children) then the manifest itself, by digest or by tag. */
async function pushManifest(d: Descriptor, reference: string) {
  const bytes = fs.readFileSync(blobPath(d.digest));
  const mf = JSON.parse(bytes.toString("utf8")) as Manifest;
  for (const child of mf.manifests ?? []) await pushManifest(child, child.digest);
  for (const blob of [...(mf.config ? [mf.config] : []), ...(mf.layers ?? [])]) await pushBlob(blob);
  return client.putManifest(repository, reference, new Uint8Array(bytes), d.mediaType ?? mf.mediaType);
}

const t0 = performance.now();
const digest = await pushManifest(top[0]!, tag);
console.log(`pushed ${host}/${repository}:${tag} (${digest}): ${uploaded} blobs uploaded (${(bytes / 1048576).toFixed(1)} MiB), ${skipped} already there, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

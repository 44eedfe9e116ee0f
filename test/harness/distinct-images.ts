// Many small, distinct images fast, over plain HTTP: one config blob each (so each tag has its own
// manifest digest and its own bytes), one shared layer. OCI manifest layout per the OCI Image
// Spec (manifest.md: config + layers descriptors).
import { createHash } from "node:crypto";
import { registryFetch } from "./http";
import type { RunningRegistry } from "./registry";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const sha256 = (b: Uint8Array | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** POST + PUT upload of one blob; resolves its digest. */
export async function pushBlob(reg: RunningRegistry, repo: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256(bytes);
  const scopes = [`repository:${repo}:pull,push`];
  const start = await registryFetch(reg, `/v2/${repo}/blobs/uploads/`, { method: "POST", scopes });
  await start.arrayBuffer();
  if (start.status !== 202) throw new Error(`upload start ${start.status}`);
  const loc = new URL(start.headers.get("location")!, reg.url);
  loc.searchParams.set("digest", digest);
  const put = await registryFetch(reg, `${loc.pathname}${loc.search}`, { method: "PUT", body: Buffer.from(bytes), headers: { "content-type": "application/octet-stream" }, scopes });
  await put.arrayBuffer();
  if (put.status !== 201) throw new Error(`upload ${put.status}`);
  return digest;
}

export interface DistinctImage { digest: string; size: number; configSize: number }

/** An image of its own (own config blob, the given shared layer) under `tag`. */
export async function pushDistinctImage(reg: RunningRegistry, repo: string, tag: string, layer: { digest: string; size: number }): Promise<DistinctImage> {
  const config = new TextEncoder().encode(JSON.stringify({ architecture: "amd64", os: "linux", config: { Labels: { tag } }, rootfs: { type: "layers", diff_ids: [layer.digest] } }));
  const configDigest = await pushBlob(reg, repo, config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layer.digest, size: layer.size }],
  });
  const res = await registryFetch(reg, `/v2/${repo}/manifests/${tag}`, { method: "PUT", body: manifest, headers: { "content-type": OCI_MANIFEST }, scopes: [`repository:${repo}:pull,push`] });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`PUT ${repo}:${tag} → ${res.status}`);
  return { digest: sha256(manifest), size: Buffer.byteLength(manifest), configSize: config.length };
}

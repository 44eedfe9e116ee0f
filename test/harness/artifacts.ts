// Artifacts that refer to an image (OCI 1.1 `subject`): a signature, an SBOM. Pushed with plain
// HTTP as an independent client would (oras, cosign): blobs, the artifact manifest, and, because
// registry 2.8 has no referrers API, the `sha256-<hex>` fallback tag index listing them.
import crypto from "node:crypto";
import { MANIFEST_ACCEPT, registryFetch } from "./http";
import type { RunningRegistry } from "./registry";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const EMPTY = { mediaType: "application/vnd.oci.empty.v1+json", digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", size: 2 };

const sha256 = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;

export async function putBlob(reg: RunningRegistry, repo: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const scopes = [`repository:${repo}:pull,push`];
  const start = await registryFetch(reg, `/v2/${repo}/blobs/uploads/`, { method: "POST", scopes });
  await start.arrayBuffer();
  if (start.status !== 202) throw new Error(`POST upload ${repo} → ${start.status}`);
  const loc = new URL(start.headers.get("location")!, reg.url);
  loc.searchParams.set("digest", digest);
  const put = await registryFetch(reg, `${loc.pathname}${loc.search}`, { method: "PUT", body: new Uint8Array(bytes), headers: { "content-type": "application/octet-stream" }, scopes });
  await put.arrayBuffer();
  if (put.status !== 201) throw new Error(`PUT blob ${repo} → ${put.status}`);
  return digest;
}

export async function putManifest(reg: RunningRegistry, repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
  const res = await registryFetch(reg, `/v2/${repo}/manifests/${reference}`, { method: "PUT", body: new Uint8Array(bytes), headers: { "content-type": mediaType }, scopes: [`repository:${repo}:pull,push`] });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`PUT manifest ${repo}:${reference} → ${res.status}`);
  return res.headers.get("docker-content-digest") ?? sha256(bytes);
}

export interface PushedArtifact { digest: string; artifactType: string; size: number }

/**
 * Push an artifact of `artifactType` whose subject is `subjectDigest` (a manifest in `repo`), and
 * add it to the subject's fallback tag index (created or extended).
 */
export async function pushReferrer(
  reg: RunningRegistry, repo: string, subjectDigest: string, artifactType: string, content: string, annotations: Record<string, string> = {},
): Promise<PushedArtifact> {
  const subject = await registryFetch(reg, `/v2/${repo}/manifests/${subjectDigest}`, { method: "HEAD", headers: { accept: MANIFEST_ACCEPT }, scopes: [`repository:${repo}:pull`] });
  if (subject.status !== 200) throw new Error(`HEAD ${repo}@${subjectDigest} → ${subject.status}`);
  await putBlob(reg, repo, Buffer.from("{}"));
  const layer = Buffer.from(content);
  const layerDigest = await putBlob(reg, repo, layer);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType, config: EMPTY,
    layers: [{ mediaType: artifactType, digest: layerDigest, size: layer.length }],
    subject: { mediaType: subject.headers.get("content-type"), digest: subjectDigest, size: Number(subject.headers.get("content-length")) },
    annotations: { "org.opencontainers.image.created": new Date().toISOString(), ...annotations },
  }));
  const digest = await putManifest(reg, repo, sha256(manifest), manifest, OCI_MANIFEST);
  const descriptor = { mediaType: OCI_MANIFEST, digest, size: manifest.length, artifactType, annotations };

  // the referrers tag schema: `sha256-<hex>` → an index of every referrer
  const tag = subjectDigest.replace(":", "-");
  const existing = await registryFetch(reg, `/v2/${repo}/manifests/${tag}`, { headers: { accept: OCI_INDEX }, scopes: [`repository:${repo}:pull`] });
  const manifests = existing.status === 200 ? ((await existing.json()) as { manifests: unknown[] }).manifests : (await existing.arrayBuffer(), []);
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...manifests, descriptor] }));
  await putManifest(reg, repo, tag, index, OCI_INDEX);
  return { digest, artifactType, size: manifest.length };
}

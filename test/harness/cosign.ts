// cosign signatures built from the documented format (sigstore/cosign specs/SIGNATURE_SPEC.md),
// because no real signing tool can run here: Debian's skopeo 1.9.3 has --sign-by-sigstore-private-key
// but answers "creating signature: Debian-local change: sigstore disabled", and cosign is not packaged.
// Layout as cosign writes it: an OCI image manifest whose layer of type
// application/vnd.dev.cosign.simplesigning.v1+json is the Simple Signing payload, signed (ECDSA
// P-256 DER over SHA-256, or Ed25519) in the layer annotation dev.cosignproject.cosign/signature.
// Stored under the tag `sha256-<hex>.sig` (classic) or as a referrer with artifactType
// application/vnd.dev.cosign.artifact.sig.v1+json (cosign's OCI 1.1 mode; registry 2.8 has no
// referrers API, so the `sha256-<hex>` fallback index lists it).
import crypto from "node:crypto";
import { MANIFEST_ACCEPT, registryFetch } from "./http";
import { putBlob, putManifest } from "./artifacts";
import type { RunningRegistry } from "./registry";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
const SIG_ARTIFACT = "application/vnd.dev.cosign.artifact.sig.v1+json";

export interface SigningPair { privateKey: crypto.KeyObject; publicKeyPem: string }

export function signingPair(kind: "ecdsa-p256" | "ed25519" | "rsa" = "ecdsa-p256"): SigningPair {
  const { privateKey, publicKey } = kind === "ed25519"
    ? crypto.generateKeyPairSync("ed25519")
    : kind === "rsa" ? crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }) : crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { privateKey, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

export interface SignOptions {
  /** where cosign puts it: the `.sig` tag (default) or a referrer */
  mode?: "tag" | "referrer";
  /** the digest the payload names (default: the subject; another one makes a digest mismatch) */
  payloadDigest?: string;
  /** change the payload after signing (a tampered payload) */
  tamper?: boolean;
}

export function simpleSigningPayload(digest: string, reference: string): Buffer {
  return Buffer.from(JSON.stringify({
    critical: { identity: { "docker-reference": reference }, image: { "docker-manifest-digest": digest }, type: "cosign container image signature" },
    optional: null,
  }));
}

export function signPayload(key: crypto.KeyObject, payload: Buffer): string {
  return crypto.sign(key.asymmetricKeyType === "ed25519" ? null : "sha256", payload, key).toString("base64");
}

/** Signs `repo@digest` in `reg` as cosign would; returns the signature manifest's digest. */
export async function cosignSign(reg: RunningRegistry, repo: string, digest: string, key: crypto.KeyObject, opts: SignOptions = {}): Promise<string> {
  const payload = simpleSigningPayload(opts.payloadDigest ?? digest, `${reg.host}/${repo}`);
  const signature = signPayload(key, payload);
  const stored = opts.tamper ? Buffer.from(payload.toString().replace("cosign container image signature", "cosign container image signaturE")) : payload;
  const config = Buffer.from("{}");
  const configDigest = await putBlob(reg, repo, config);
  const payloadDigest = await putBlob(reg, repo, stored);
  const doc: Record<string, unknown> = {
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
    layers: [{ mediaType: SIMPLESIGNING, digest: payloadDigest, size: stored.length, annotations: { "dev.cosignproject.cosign/signature": signature } }],
  };
  if (opts.mode !== "referrer") {
    const bytes = Buffer.from(JSON.stringify(doc));
    return putManifest(reg, repo, `${digest.replace(":", "-")}.sig`, bytes, OCI_MANIFEST);
  }
  const subject = await registryFetch(reg, `/v2/${repo}/manifests/${digest}`, { method: "HEAD", headers: { accept: MANIFEST_ACCEPT }, scopes: [`repository:${repo}:pull`] });
  if (subject.status !== 200) throw new Error(`HEAD ${repo}@${digest} → ${subject.status}`);
  doc.artifactType = SIG_ARTIFACT;
  doc.subject = { mediaType: subject.headers.get("content-type"), digest, size: Number(subject.headers.get("content-length")) };
  const bytes = Buffer.from(JSON.stringify(doc));
  const sigDigest = `sha256:${crypto.createHash("sha256").update(bytes).digest("hex")}`;
  await putManifest(reg, repo, sigDigest, bytes, OCI_MANIFEST);
  const tag = digest.replace(":", "-");
  const existing = await registryFetch(reg, `/v2/${repo}/manifests/${tag}`, { headers: { accept: OCI_INDEX }, scopes: [`repository:${repo}:pull`] });
  const manifests = existing.status === 200 ? ((await existing.json()) as { manifests: unknown[] }).manifests : (await existing.arrayBuffer(), []);
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...manifests, { mediaType: OCI_MANIFEST, digest: sigDigest, size: bytes.length, artifactType: SIG_ARTIFACT }] }));
  await putManifest(reg, repo, tag, index, OCI_INDEX);
  return sigDigest;
}

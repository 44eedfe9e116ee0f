// Key-based verification of cosign signatures, after sigstore/cosign specs/SIGNATURE_SPEC.md:
// a signature is a layer of media type application/vnd.dev.cosign.simplesigning.v1+json whose
// blob is the Simple Signing payload and whose annotation dev.cosignproject.cosign/signature is
// the base64 signature over exactly those payload bytes. The payload names the signed manifest in
// critical.image.docker-manifest-digest. Pure functions over node:crypto; no I/O.
import crypto from "node:crypto";
import { COSIGN_SIGNATURE_ANNOTATION, type SignatureLayer } from "@/lib/registry/signatures";

export type KeyAlgorithm = "ecdsa-p256" | "ed25519" | "rsa";

export class KeyFormatError extends Error {}

/** Parses a PEM public key; only ECDSA P-256, Ed25519 and RSA (≥ 2048 bits) are accepted. */
export function parsePublicKey(pem: string): { key: crypto.KeyObject; algorithm: KeyAlgorithm } {
  const text = pem.trim();
  if (!/^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----$/.test(text)) {
    throw new KeyFormatError("publicKeyPem must be one PEM block \"-----BEGIN PUBLIC KEY-----\" (the cosign.pub file); private keys and certificates are not accepted");
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey({ key: text, format: "pem" });
  } catch {
    throw new KeyFormatError("publicKeyPem is not a readable public key");
  }
  const type = key.asymmetricKeyType;
  if (type === "ec") {
    if (key.asymmetricKeyDetails?.namedCurve !== "prime256v1") throw new KeyFormatError(`ECDSA keys must use the P-256 curve, not ${key.asymmetricKeyDetails?.namedCurve ?? "an unknown curve"}`);
    return { key, algorithm: "ecdsa-p256" };
  }
  if (type === "ed25519") return { key, algorithm: "ed25519" };
  if (type === "rsa") {
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new KeyFormatError("RSA keys must have at least 2048 bits");
    return { key, algorithm: "rsa" };
  }
  throw new KeyFormatError(`${type ?? "this"} keys are not supported: use ECDSA P-256, Ed25519 or RSA`);
}

export interface TrustedKey { id: string; name: string; publicKeyPem: string }

/** One signature as found in the registry: the payload bytes and the layer's signature annotation. */
export type FoundSignature = SignatureLayer;

export type Verdict =
  | { ok: true; keyId: string; keyName: string; source: "tag" | "referrer" }
  | { ok: false; reason: string };

/** The manifest digest a Simple Signing payload vouches for, or why it names none. */
export function payloadDigest(payload: Uint8Array): { digest: string } | { error: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(payload).toString("utf8"));
  } catch {
    return { error: "the signature payload is not JSON" };
  }
  const critical = pick(doc, "critical");
  const image = pick(critical, "image");
  // Go's encoding/json matches keys case-insensitively, so cosign reads "Docker-manifest-digest" too
  const digest = pick(image, "docker-manifest-digest");
  if (typeof digest !== "string") return { error: "the signature payload names no critical.image.docker-manifest-digest" };
  return { digest };
}

function pick(v: unknown, key: string): unknown {
  if (!v || typeof v !== "object" || Array.isArray(v)) return undefined;
  const hit = Object.keys(v).find((k) => k.toLowerCase() === key);
  return hit === undefined ? undefined : (v as Record<string, unknown>)[hit];
}

/** Verifies one signature against the trusted keys for `subjectDigest`. */
export function verifySignature(sig: FoundSignature, subjectDigest: string, keys: TrustedKey[]): Verdict {
  if (!sig.signature) return { ok: false, reason: `the signature layer has no ${COSIGN_SIGNATURE_ANNOTATION} annotation` };
  const raw = Buffer.from(sig.signature, "base64");
  if (raw.length === 0 || raw.length > 1024) return { ok: false, reason: "the signature annotation is not a base64 signature" };
  const named = payloadDigest(sig.payload);
  if ("error" in named) return { ok: false, reason: named.error };
  if (named.digest !== subjectDigest) return { ok: false, reason: `the signature is for ${named.digest}, not ${subjectDigest}` };
  for (const k of keys) {
    let parsed;
    try {
      parsed = parsePublicKey(k.publicKeyPem);
    } catch {
      continue;
    }
    if (verifyWith(parsed.key, parsed.algorithm, sig.payload, raw)) return { ok: true, keyId: k.id, keyName: k.name, source: sig.source };
  }
  return { ok: false, reason: keys.length ? "no configured signing key verifies the signature" : "no signing keys are configured" };
}

function verifyWith(key: crypto.KeyObject, algorithm: KeyAlgorithm, payload: Uint8Array, signature: Buffer): boolean {
  try {
    // cosign: ECDSA (ASN.1 DER) and RSA PKCS#1 v1.5 over SHA-256; Ed25519 over the message itself
    if (algorithm === "ed25519") return crypto.verify(null, payload, key, signature);
    if (crypto.verify("sha256", payload, key, signature)) return true;
    return algorithm === "rsa" && crypto.verify("sha256", payload, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING }, signature);
  } catch {
    return false;
  }
}

/** The best verdict over all signatures found: verified by any key wins, else the first reason. */
export function verifyAny(found: FoundSignature[], subjectDigest: string, keys: TrustedKey[]): Verdict | null {
  if (found.length === 0) return null;
  let first: Verdict | undefined;
  for (const s of found) {
    const v = verifySignature(s, subjectDigest, keys);
    if (v.ok) return v;
    first ??= v;
  }
  return first!;
}

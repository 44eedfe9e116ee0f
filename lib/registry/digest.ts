// Content digests over exact bytes (never over re-serialised JSON: key order changes the digest).
import { createHash, type Hash } from "node:crypto";

export type DigestAlgorithm = "sha256" | "sha512";

export function algorithmOf(digest: string): DigestAlgorithm {
  return digest.startsWith("sha512:") ? "sha512" : "sha256";
}

export function computeDigest(bytes: Uint8Array, algorithm: DigestAlgorithm = "sha256"): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
}

/** Incremental digest for streamed blobs. */
export class Digester {
  private readonly hash: Hash;
  bytes = 0;

  constructor(readonly algorithm: DigestAlgorithm = "sha256") {
    this.hash = createHash(algorithm);
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytes += chunk.byteLength;
  }

  digest(): string {
    return `${this.algorithm}:${this.hash.digest("hex")}`;
  }
}

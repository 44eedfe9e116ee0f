import "server-only";
// AES-256-GCM encryption of one registry's credentials. The ciphertext is bound to its row
// (the registry id is the associated data), so a ciphertext copied to another row fails to open.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { loadKeyring, type Keyring } from "./keyring";

export interface Sealed {
  ciphertext: Uint8Array<ArrayBuffer>;
  nonce: Uint8Array<ArrayBuffer>;
  keyId: string;
}

let cached: Keyring | undefined;

function keyring(reload = false): Keyring {
  if (!cached || reload) cached = loadKeyring({ create: false });
  return cached;
}

/** For tests and key rotation: forget the loaded keys. */
export function resetKeyringCache() {
  cached = undefined;
}

function aad(registryId: string) {
  return Buffer.from(`regatta:registry:${registryId}:credentials`);
}

export function seal(registryId: string, plaintext: string, ring: Keyring = keyring()): Sealed {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", ring.active.key, nonce);
  cipher.setAAD(aad(registryId));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return { ciphertext: new Uint8Array(body), nonce: new Uint8Array(nonce), keyId: ring.active.id };
}

export class SecretUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretUnavailableError";
  }
}

export function open(registryId: string, sealed: Sealed, ring?: Keyring): string {
  let r = ring ?? keyring();
  // a key added by `npm run keys:rotate` while this process runs: read the key file again
  if (!r.keys.has(sealed.keyId) && !ring) r = keyring(true);
  const k = r.keys.get(sealed.keyId);
  if (!k) throw new SecretUnavailableError(`the credentials were encrypted with master key ${sealed.keyId}, which is not configured`);
  const data = Buffer.from(sealed.ciphertext);
  if (data.length < 16) throw new SecretUnavailableError("the stored credentials are damaged");
  const decipher = createDecipheriv("aes-256-gcm", k.key, Buffer.from(sealed.nonce));
  decipher.setAAD(aad(registryId));
  decipher.setAuthTag(data.subarray(data.length - 16));
  try {
    return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretUnavailableError("the stored credentials do not decrypt for this registry (wrong key, or copied from another row)");
  }
}

import "server-only";
// Registry credentials at rest: a JSON object of the kind's fields, sealed for one registry row.
import { open, seal, type Sealed } from "./envelope";
import { KINDS, type RegistryKind } from "@/lib/schemas/registry";

/** A registry's credential fields as its kind names them (username, password, accessKeyId…), decrypted. */
export type CredentialFields = Record<string, string>;

export interface StoredCredentials {
  credentialsCiphertext: Uint8Array<ArrayBuffer> | null;
  credentialsNonce: Uint8Array<ArrayBuffer> | null;
  credentialsKeyId: string | null;
}

export function sealCredentials(registryId: string, creds: CredentialFields | null | undefined) {
  const clean = Object.fromEntries(Object.entries(creds ?? {}).filter(([, v]) => v !== ""));
  if (!Object.keys(clean).length) {
    return { credentialsCiphertext: null, credentialsNonce: null, credentialsKeyId: null };
  }
  const s: Sealed = seal(registryId, JSON.stringify(clean));
  return { credentialsCiphertext: s.ciphertext, credentialsNonce: s.nonce, credentialsKeyId: s.keyId };
}

export function openCredentials(registryId: string, row: StoredCredentials): CredentialFields | null {
  if (!row.credentialsCiphertext || !row.credentialsNonce || !row.credentialsKeyId) return null;
  return JSON.parse(open(registryId, { ciphertext: row.credentialsCiphertext, nonce: row.credentialsNonce, keyId: row.credentialsKeyId }));
}

function mask(value: string): string {
  // long secrets show their last 4 characters so people can tell them apart; short ones nothing
  return value.length >= 16 ? `••••${value.slice(-4)}` : "••••";
}

/** What people may see of credentials: non-secret fields in full, secrets masked. */
export function credentialPreview(kind: RegistryKind, creds: CredentialFields | null | undefined): string | null {
  if (!creds || !Object.values(creds).some(Boolean)) return null;
  return KINDS[kind].fields
    .filter((f) => creds[f.name])
    .map((f) => (f.secret ? `${f.label}: ${f.multiline ? "•••• (set)" : mask(creds[f.name])}` : `${f.label}: ${creds[f.name]}`))
    .join(" · ");
}

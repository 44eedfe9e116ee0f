import "server-only";
// Keys of the audit chain, derived (HKDF-SHA-256) from the master keys in the data directory or
// REGATTA_MASTER_KEY: the database never holds them, so the app's own database role cannot give a
// changed event a matching hash. Each master key yields its own chain key with the same id, so a
// chain written across a key rotation verifies as long as the keyring keeps the older keys.
import { hkdfSync } from "node:crypto";
import { loadKeyring } from "@/lib/secrets/keyring";
import type { ChainKey } from "./hash";

function derive(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), `regatta ${purpose} v1`, 32));
}

/** The key new events are hashed with (from the active master key). */
export function activeChainKey(): ChainKey {
  const ring = loadKeyring();
  return { id: ring.active.id, key: derive(ring.active.key, "audit chain") };
}

/** Every chain key the keyring can produce, by id. */
export function chainKeys(): Map<string, ChainKey> {
  const ring = loadKeyring();
  return new Map([...ring.keys.values()].map((k) => [k.id, { id: k.id, key: derive(k.key, "audit chain") }]));
}

/** The key checkpoints are signed with (from the active master key; its id is in the checkpoint). */
export function checkpointKeys(): Map<string, Buffer> {
  const ring = loadKeyring();
  return new Map([...ring.keys.values()].map((k) => [k.id, derive(k.key, "audit checkpoint")]));
}

export function activeCheckpointKey(): { id: string; key: Buffer } {
  const ring = loadKeyring();
  return { id: ring.active.id, key: derive(ring.active.key, "audit checkpoint") };
}

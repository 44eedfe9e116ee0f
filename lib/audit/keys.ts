import "server-only";
// Keys of the audit chain, derived (HKDF-SHA-256) from the master keys in the data directory or
// REGATTA_MASTER_KEY: the database never holds them, so the app's own database role cannot give a
// changed event a matching hash. Each master key yields its own chain key with the same id.
//
// A key rotation (npm run keys:rotate) drops old master keys, but events hashed under them must
// keep verifying: the derived audit keys (which decrypt nothing) are kept in the audit key file
// (REGATTA_AUDIT_KEYS_FILE, default <data dir>/audit-keys), written at start-up and before a
// rotation drops a key.
import { hkdfSync } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { loadKeyring } from "@/lib/secrets/keyring";
import type { ChainKey } from "./hash";

function derive(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), `regatta ${purpose} v1`, 32));
}

interface Derived {
  id: string;
  chain: Buffer;
  checkpoint: Buffer;
}

function fromMaster(k: { id: string; key: Buffer }): Derived {
  return { id: k.id, chain: derive(k.key, "audit chain"), checkpoint: derive(k.key, "audit checkpoint") };
}

export function auditKeysFile(): string {
  return path.resolve(
    /*turbopackIgnore: true*/
    process.env.REGATTA_AUDIT_KEYS_FILE || path.join(process.env.REGATTA_DATA_DIR || ".data", "audit-keys"),
  );
}

function retained(): Derived[] {
  let text: string;
  try {
    text = fs.readFileSync(auditKeysFile(), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return text.split("\n").filter((l) => /^[0-9a-f]{16} \S+ \S+$/.test(l.trim())).map((l) => {
    const [id, chain, checkpoint] = l.trim().split(" ");
    return { id: id!, chain: Buffer.from(chain!, "base64"), checkpoint: Buffer.from(checkpoint!, "base64") };
  });
}

/** Keeps the audit keys of every master key in the keyring, so a later rotation cannot lose them. */
export function retainAuditKeys(): void {
  const have = new Set(retained().map((d) => d.id));
  const lines = [...loadKeyring().keys.values()].filter((k) => !have.has(k.id)).map(fromMaster)
    .map((d) => `${d.id} ${d.chain.toString("base64")} ${d.checkpoint.toString("base64")}\n`);
  if (!lines.length) return;
  const file = auditKeysFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file)) fs.writeFileSync(file, "# Regatta audit keys (derived from master keys; they decrypt nothing): keep them to verify old audit events\n", { mode: 0o600 });
  fs.appendFileSync(file, lines.join(""));
}

function all(): Map<string, Derived> {
  const map = new Map(retained().map((d) => [d.id, d]));
  for (const k of loadKeyring().keys.values()) map.set(k.id, fromMaster(k));
  return map;
}

/** The key new events are hashed with (from the active master key). */
export function activeChainKey(): ChainKey {
  const d = fromMaster(loadKeyring().active);
  return { id: d.id, key: d.chain };
}

/** Every chain key known, by id: the keyring's and the retained ones. */
export function chainKeys(): Map<string, ChainKey> {
  return new Map([...all().values()].map((d) => [d.id, { id: d.id, key: d.chain }]));
}

export function checkpointKeys(): Map<string, Buffer> {
  return new Map([...all().values()].map((d) => [d.id, d.checkpoint]));
}

export function activeCheckpointKey(): { id: string; key: Buffer } {
  const d = fromMaster(loadKeyring().active);
  return { id: d.id, key: d.checkpoint };
}

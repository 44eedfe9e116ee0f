import "server-only";
// Master keys for credential encryption. REGATTA_MASTER_KEY holds one or more base64 (or hex)
// 32-byte keys separated by commas, the first one active; without it, the key file
// (REGATTA_MASTER_KEY_FILE, default <data dir>/master.key) holds "<keyId> <base64>" lines, the
// last one active, created at first start. A key id is the first 16 hex digits of SHA-256(key).
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export interface MasterKey {
  id: string;
  key: Buffer;
}

export interface Keyring {
  active: MasterKey;
  keys: Map<string, MasterKey>;
  source: "env" | "file";
}

export function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

function decodeKey(text: string, where: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, "hex") : Buffer.from(t, "base64");
  if (key.length !== 32) throw new Error(`${where}: a master key must be 32 bytes, base64 or hex encoded`);
  return key;
}

export function keyFilePath(): string {
  return path.resolve(
    /*turbopackIgnore: true*/
    process.env.REGATTA_MASTER_KEY_FILE || path.join(process.env.REGATTA_DATA_DIR || ".data", "master.key"),
  );
}

export function generateKey(): MasterKey {
  const key = randomBytes(32);
  return { id: keyId(key), key };
}

export function formatKeyLine(k: MasterKey): string {
  return `${k.id} ${k.key.toString("base64")}`;
}

function fromList(keys: MasterKey[], active: MasterKey, source: Keyring["source"]): Keyring {
  return { active, keys: new Map(keys.map((k) => [k.id, k])), source };
}

function readKeyFile(file: string): MasterKey[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((line, i) => {
      const [, b64] = line.split(/\s+/);
      const key = decodeKey(b64 ?? line, `${file} line ${i + 1}`);
      return { id: keyId(key), key };
    });
}

/** Loads the keyring; with `create`, writes a new key file when there is none. */
export function loadKeyring(opts: { create?: boolean; onCreate?: (file: string) => void } = {}): Keyring {
  const env = process.env.REGATTA_MASTER_KEY;
  if (env) {
    const keys = env.split(",").map((k, i) => decodeKey(k, `REGATTA_MASTER_KEY entry ${i + 1}`));
    const list = keys.map((key) => ({ id: keyId(key), key }));
    return fromList(list, list[0], "env");
  }
  const file = keyFilePath();
  if (!fs.existsSync(file)) {
    if (!opts.create) throw new Error(`no master key: set REGATTA_MASTER_KEY or start Regatta once to create ${file}`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const k = generateKey();
    fs.writeFileSync(file, `# Regatta master keys: back this file up; without it stored credentials cannot be read\n${formatKeyLine(k)}\n`, { mode: 0o600, flag: "wx" });
    opts.onCreate?.(file);
  }
  const list = readKeyFile(file);
  if (!list.length) throw new Error(`${file} holds no key`);
  return fromList(list, list[list.length - 1], "file");
}

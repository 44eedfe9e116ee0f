import "server-only";
// Signed checkpoints of the audit chain, kept outside the database: the head (last event's id and
// hash), how many events the chain holds up to it, and the first event's hash (which log it is).
// Written after every committed batch to a file in the data directory (REGATTA_AUDIT_CHECKPOINT_FILE,
// default <data dir>/audit-checkpoint.json) and, at most once a minute, to the log. Deleting events
// from the end of the table leaves a chain that links up, but no longer reaches the checkpoint:
// verification reports that as truncation.
import { createHmac, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { canonicalJson } from "./hash";
import { activeCheckpointKey, checkpointKeys } from "./keys";

export interface Checkpoint {
  v: 1;
  /** the head: the last event's id and hash */
  id: string;
  hash: string;
  /** events in the chain up to and including the head */
  count: number;
  /** the first event's hash: which log this checkpoint is of */
  first: string;
  at: string;
  /** the master key id whose derived key signed it, and the HMAC */
  keyId: string;
  sig: string;
}

export function checkpointFile(): string {
  return path.resolve(
    /*turbopackIgnore: true*/
    process.env.REGATTA_AUDIT_CHECKPOINT_FILE || path.join(process.env.REGATTA_DATA_DIR || ".data", "audit-checkpoint.json"),
  );
}

function signature(cp: Omit<Checkpoint, "sig">, key: Buffer): string {
  return createHmac("sha256", key).update(canonicalJson(cp)).digest("hex");
}

let lastLogged = 0;

/** Signs and stores a checkpoint (atomically: a new file renamed over the old one); logs it now and then. */
export function writeCheckpoint(head: { id: bigint | string; hash: string; count: number; first: string }, now = new Date()): Checkpoint {
  const k = activeCheckpointKey();
  const body: Omit<Checkpoint, "sig"> = { v: 1, id: String(head.id), hash: head.hash, count: head.count, first: head.first, at: now.toISOString(), keyId: k.id };
  const cp: Checkpoint = { ...body, sig: signature(body, k.key) };
  const file = checkpointFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(cp) + "\n", { mode: 0o600 });
  fs.renameSync(tmp, file);
  if (now.getTime() - lastLogged >= 60_000) {
    lastLogged = now.getTime();
    console.info(`[regatta] audit checkpoint ${JSON.stringify(cp)}`);
  }
  return cp;
}

export type CheckpointRead = { state: "none" } | { state: "invalid"; reason: string } | { state: "ok"; checkpoint: Checkpoint };

/** The stored checkpoint, its signature checked. */
export function readCheckpoint(): CheckpointRead {
  const file = checkpointFile();
  let raw: string;
  try {
    raw = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { state: "none" };
    throw err;
  }
  let cp: Checkpoint;
  try {
    cp = JSON.parse(raw.slice(0, 4096));
  } catch {
    return { state: "invalid", reason: `${file} is not a checkpoint (not JSON)` };
  }
  if (cp?.v !== 1 || typeof cp.sig !== "string" || typeof cp.id !== "string" || typeof cp.hash !== "string" || typeof cp.count !== "number") {
    return { state: "invalid", reason: `${file} is not a checkpoint` };
  }
  const key = checkpointKeys().get(cp.keyId);
  if (!key) return { state: "invalid", reason: `the checkpoint is signed with master key ${cp.keyId}, which is not in the keyring` };
  const { sig, ...body } = cp;
  const want = Buffer.from(signature(body, key), "hex");
  const got = Buffer.from(/^[0-9a-f]{64}$/.test(sig) ? sig : "", "hex");
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { state: "invalid", reason: "the checkpoint's signature does not match (the file was changed)" };
  return { state: "ok", checkpoint: cp };
}

import "server-only";
// Walks the audit log in order and recomputes the hash chain. The first event whose stored
// hash, or whose link to the previous hash, does not match is where the log was changed. Keyed
// events (v2) are checked with the key derived from the master key they name; unkeyed ones (v1)
// are accepted only before the first keyed one. Then the signed checkpoint kept outside the
// database (lib/audit/checkpoint.ts) must be reached: an event it names that is gone, or a chain
// that ends before it, means events were removed from the end.
import { db } from "@/lib/db";
import { readCheckpoint, type Checkpoint } from "./checkpoint";
import { GENESIS_HASH, eventHash, hashKeyId, keyedEventHash } from "./hash";
import { chainKeys } from "./keys";

export interface CheckpointReport {
  state: "none" | "reached" | "truncated" | "invalid" | "other-log";
  message: string;
  checkpoint?: Pick<Checkpoint, "id" | "count" | "at">;
}

export interface ChainReport {
  intact: boolean;
  checked: number;
  /** events with a keyed hash (v2) and legacy unkeyed ones (v1, all before the first keyed one) */
  keyed: number;
  legacy: number;
  firstBroken?: { id: string; at: string; action: string; reason: string };
  checkpoint: CheckpointReport;
}

const BATCH = 5_000;

export async function verifyAuditChain(): Promise<ChainReport> {
  const keys = chainKeys();
  const stored = readCheckpoint();
  let prev = GENESIS_HASH;
  let checked = 0;
  let keyed = 0;
  let legacy = 0;
  let first: string | null = null;
  let last: { id: bigint; hash: string } | null = null;
  let cpSeen: { hash: string; count: number } | null = null;
  let cursor: bigint | undefined;
  const cp = stored.state === "ok" ? stored.checkpoint : null;
  for (;;) {
    const rows = await db.auditEvent.findMany({
      orderBy: { id: "asc" },
      take: BATCH,
      ...(cursor !== undefined ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    for (const e of rows) {
      const broken = (reason: string): ChainReport => ({
        intact: false,
        checked,
        keyed,
        legacy,
        firstBroken: { id: e.id.toString(), at: e.at.toISOString(), action: e.action, reason },
        checkpoint: { state: stored.state === "invalid" ? "invalid" : stored.state === "none" ? "none" : "reached", message: "not checked: the chain is broken before it" },
      });
      if (e.prevHash !== prev) return broken("its link to the previous event does not match (an event before it was removed or changed)");
      const keyId = hashKeyId(e.hash);
      if (keyId) {
        const k = keys.get(keyId);
        if (!k) return broken(`it is keyed with master key ${keyId}, which is not in the keyring`);
        if (keyedEventHash(prev, e, k) !== e.hash) return broken("its content does not match its keyed hash (the event was changed)");
        keyed++;
      } else {
        if (keyed > 0) return broken("it has an unkeyed hash after keyed ones (written without the key: a forged event)");
        if (eventHash(prev, e) !== e.hash) return broken("its content does not match its hash (the event was changed)");
        legacy++;
      }
      first ??= e.hash;
      prev = e.hash;
      checked++;
      last = { id: e.id, hash: e.hash };
      if (cp && e.id.toString() === cp.id) cpSeen = { hash: e.hash, count: checked };
    }
    if (rows.length < BATCH) break;
    cursor = rows[rows.length - 1].id;
  }
  const checkpoint = judgeCheckpoint(stored, cpSeen, first, last, checked);
  return { intact: checkpoint.state !== "truncated" && checkpoint.state !== "invalid" && checkpoint.state !== "other-log", checked, keyed, legacy, checkpoint };
}

function judgeCheckpoint(
  stored: ReturnType<typeof readCheckpoint>,
  seen: { hash: string; count: number } | null,
  first: string | null,
  last: { id: bigint; hash: string } | null,
  checked: number,
): CheckpointReport {
  if (stored.state === "none") return { state: "none", message: "no checkpoint yet (written after the next event)" };
  if (stored.state === "invalid") return { state: "invalid", message: stored.reason };
  const cp = stored.checkpoint;
  const summary = { id: cp.id, count: cp.count, at: cp.at };
  const ends = last ? `the log ends at event ${last.id} after ${checked} events` : "the log is empty";
  if (first !== null && first !== cp.first) {
    return { state: "other-log", message: `the checkpoint of ${cp.at} is of a log whose first event differs: the whole log was replaced, or the checkpoint is another database's`, checkpoint: summary };
  }
  if (!seen) {
    return { state: "truncated", message: `the checkpoint of ${cp.at} names event ${cp.id} (the ${cp.count}th), but ${ends}: events were removed from the end`, checkpoint: summary };
  }
  if (seen.hash !== cp.hash || seen.count !== cp.count) {
    return { state: "truncated", message: `the checkpoint of ${cp.at} names event ${cp.id} as the ${cp.count}th with another hash; the log has it as the ${seen.count}th: events were removed or replaced`, checkpoint: summary };
  }
  return { state: "reached", message: `reaches the signed checkpoint of ${cp.at} (event ${cp.id}, ${cp.count} events)`, checkpoint: summary };
}

import "server-only";
// Walks the audit log in order and recomputes the hash chain. The first event whose stored
// hash, or whose link to the previous hash, does not match is where the log was changed.
import { db } from "@/lib/db";
import { GENESIS_HASH, eventHash } from "./hash";

export interface ChainReport {
  intact: boolean;
  checked: number;
  firstBroken?: { id: string; at: string; action: string; reason: string };
}

const BATCH = 5_000;

export async function verifyAuditChain(): Promise<ChainReport> {
  let prev = GENESIS_HASH;
  let checked = 0;
  let cursor: bigint | undefined;
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
        firstBroken: { id: e.id.toString(), at: e.at.toISOString(), action: e.action, reason },
      });
      if (e.prevHash !== prev) return broken("its link to the previous event does not match (an event before it was removed or changed)");
      if (eventHash(prev, e) !== e.hash) return broken("its content does not match its hash (the event was changed)");
      prev = e.hash;
      checked++;
    }
    if (rows.length < BATCH) return { intact: true, checked };
    cursor = rows[rows.length - 1].id;
  }
}

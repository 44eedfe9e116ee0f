import "server-only";
// Re-seals every registry's credentials under the active key. Each row is swapped only if it
// still holds the ciphertext that was read, so a concurrent edit is never overwritten.
import { db } from "@/lib/db";
import { open, seal } from "./envelope";
import type { Keyring } from "./keyring";

export async function rotateCredentials(ring: Keyring): Promise<{ rotated: number; failed: string[] }> {
  const rows = await db.registry.findMany({
    where: { credentialsKeyId: { not: null } },
    select: { id: true, name: true, credentialsCiphertext: true, credentialsNonce: true, credentialsKeyId: true },
  });
  let rotated = 0;
  const failed: string[] = [];
  for (const r of rows) {
    if (r.credentialsKeyId === ring.active.id) continue;
    try {
      const plain = open(r.id, { ciphertext: r.credentialsCiphertext!, nonce: r.credentialsNonce!, keyId: r.credentialsKeyId! }, ring);
      const s = seal(r.id, plain, ring);
      const res = await db.registry.updateMany({
        where: { id: r.id, credentialsKeyId: r.credentialsKeyId, credentialsNonce: r.credentialsNonce },
        data: { credentialsCiphertext: s.ciphertext, credentialsNonce: s.nonce, credentialsKeyId: s.keyId },
      });
      if (res.count === 1) rotated++;
      else failed.push(`${r.name}: changed while rotating, run again`);
    } catch (err) {
      failed.push(`${r.name}: ${(err as Error).message}`);
    }
  }
  return { rotated, failed };
}

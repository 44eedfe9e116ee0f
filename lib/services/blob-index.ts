import "server-only";
// Which repositories of a registry hold a blob, from Regatta's own index (TagRecord joined with
// ManifestBlob): shared by every instance and every user, so a promotion to a new repository
// mounts what another promotion (or a browse) already put in that registry.
import { db } from "@/lib/db";

/** At most this many digests asked in one query, and this many candidate repositories per digest. */
const MAX_DIGESTS = 1000;
const PER_DIGEST = 3;
/** Blobs recorded per manifest at most (an image has tens; anything past this is not worth a mount). */
const MAX_BLOBS = 1000;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,256}$/;

function isDescriptor(b: unknown): b is { digest: string; size: number } {
  const d = b as { digest?: unknown; size?: unknown } | null;
  return !!d && typeof d.digest === "string" && DIGEST.test(d.digest) && typeof d.size === "number" && Number.isSafeInteger(d.size) && d.size >= 0;
}

/** Records the blobs a manifest reaches (content-addressed: an existing row is left as it is). */
export async function recordManifestBlobs(manifestDigest: string, blobs: readonly { digest: string; size: number }[]): Promise<void> {
  // a registry's manifest is hostile input: well-formed descriptors only, and a bounded number
  const unique = new Map(blobs.filter(isDescriptor).slice(0, MAX_BLOBS).map((b) => [b.digest, b.size]));
  if (unique.size === 0 || !DIGEST.test(manifestDigest)) return;
  await db.manifestBlob.createMany({
    data: [...unique].map(([blobDigest, size]) => ({ manifestDigest, blobDigest, size: BigInt(size) })),
    skipDuplicates: true,
  });
}

/** An index reaches what its children reach: their rows, copied under the index's digest. */
export async function recordIndexBlobs(indexDigest: string, childDigests: readonly string[]): Promise<void> {
  const children = childDigests.filter((d) => typeof d === "string" && DIGEST.test(d)).slice(0, MAX_BLOBS);
  if (children.length === 0 || !DIGEST.test(indexDigest)) return;
  await db.$executeRaw`
    INSERT INTO "ManifestBlob" ("manifestDigest", "blobDigest", size)
    SELECT ${indexDigest}, "blobDigest", max(size) FROM "ManifestBlob" WHERE "manifestDigest" = ANY(${children}) GROUP BY "blobDigest"
    ON CONFLICT DO NOTHING`;
}

/**
 * For each digest, repositories of `registryId` other than `exclude` whose tags (as last seen)
 * reach it, the most recently changed first. Only ever names repositories of that one registry:
 * a mount is asked of the target registry, with the target's credentials.
 */
export async function mountCandidates(registryId: string, exclude: string, digests: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const asked = [...new Set(digests)].slice(0, MAX_DIGESTS);
  if (asked.length === 0) return out;
  const rows = await db.$queryRaw<{ blobDigest: string; repository: string }[]>`
    SELECT "blobDigest", repository FROM (
      SELECT "blobDigest", repository, row_number() OVER (PARTITION BY "blobDigest" ORDER BY at DESC) AS n
      FROM (
        SELECT b."blobDigest", t.repository, max(t."changedAt") AS at
        FROM "ManifestBlob" b JOIN "TagRecord" t ON t.digest = b."manifestDigest"
        WHERE t."registryId" = ${registryId}::uuid AND b."blobDigest" = ANY(${asked}) AND t.repository <> ${exclude}
        GROUP BY b."blobDigest", t.repository
      ) held
    ) ranked
    WHERE n <= ${PER_DIGEST}
    ORDER BY "blobDigest", n`;
  for (const r of rows) {
    const list = out.get(r.blobDigest) ?? [];
    list.push(r.repository);
    out.set(r.blobDigest, list);
  }
  return out;
}

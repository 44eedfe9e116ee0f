import "server-only";
import { db } from "@/lib/db";

export async function tagHistory(registryId: string, repository: string, tag: string) {
  const rows = await db.tagChange.findMany({ where: { registryId, repository, tag }, orderBy: { at: "desc" }, take: 100 });
  return rows.map((r) => ({ id: r.id.toString(), at: r.at.toISOString(), digest: r.digest, previousDigest: r.previousDigest, source: r.source.toLowerCase(), actor: r.actor }));
}

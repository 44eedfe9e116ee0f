import "server-only";
// Safe delete. registry:2 (and the OCI API before 1.1) deletes manifests by digest only, which
// removes every tag on that digest: say which tags go, and ask for the digest as confirmation.
// Vendors with an untag API (their provider's deleteTag) remove just the one tag.
import { conflict, forbidden, notFound, unsupported } from "@/lib/errors";
import { appendAudit } from "@/lib/audit/log";
import { accessOf, roleIn } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/guard";
import { hasRole } from "@/lib/schemas/roles";
import { db } from "@/lib/db";
import { mapLimit } from "@/lib/registry";
import { validateRepository, validateTag } from "@/lib/registry";
import { registryClient, registryProvider } from "./clients";
import { enforce, protectionFor } from "./protection";
import { getRegistry } from "./registries";
import { recordDeletedTags } from "./tag-history";

export interface DeletePreview {
  digest: string;
  /** every tag that disappears with it, this one included */
  tags: string[];
  method: "digest" | "tag";
  explanation: string;
}

// above this many tags, sibling tags come from what Regatta has seen instead of a HEAD each
const HEAD_ALL_LIMIT = 1000;

async function siblings(registryId: string, repository: string, digest: string): Promise<string[]> {
  const client = await registryClient(registryId);
  const all = await client.listTags(repository);
  if (all.length <= HEAD_ALL_LIMIT) {
    const heads = await mapLimit(all, 16, async (t) => ((await client.headManifest(repository, t))?.digest === digest ? t : null));
    return heads.filter((t): t is string => !!t).sort();
  }
  const known = await db.tagRecord.findMany({ where: { registryId, repository, digest }, select: { tag: true } });
  return known.map((k) => k.tag).filter((t) => all.includes(t)).sort();
}

export async function previewDelete(registryId: string, repository: string, tag: string): Promise<DeletePreview> {
  validateRepository(repository);
  validateTag(tag);
  await getRegistry(registryId);
  const provider = await registryProvider(registryId);
  const head = await provider.client.headManifest(repository, tag);
  if (!head) throw notFound(`${repository}:${tag}`);
  if (provider.deleteMethod?.scope === "tag") {
    return { digest: head.digest, tags: [tag], method: "tag", explanation: provider.deleteMethod.explanation };
  }
  const tags = await siblings(registryId, repository, head.digest);
  const others = tags.filter((t) => t !== tag);
  return {
    digest: head.digest,
    tags: tags.includes(tag) ? tags : [tag, ...tags],
    method: "digest",
    explanation:
      (provider.deleteMethod?.explanation ?? "This registry deletes by digest only (distribution 2.8 has no untag)") + ": the manifest goes, and with it " +
      (others.length ? `every tag on it: ${others.join(", ")} too.` : "this tag, the only one on it."),
  };
}

export async function deleteTag(actor: Actor, registryId: string, repository: string, tag: string, confirmDigest: string | undefined) {
  return deletePreviewed(actor, registryId, repository, tag, await previewDelete(registryId, repository, tag), confirmDigest);
}

/**
 * The delete itself, for a preview the caller already holds (retention knows every tag's digest
 * from its own pass and builds the same DeletePreview without a HEAD per sibling): protection of
 * every tag that goes, the confirmation digest, the provider's own method, one audit event.
 */
export async function deletePreviewed(actor: Actor, registryId: string, repository: string, tag: string, preview: DeletePreview, confirmDigest: string | undefined, details: Record<string, unknown> = {}) {
  const base = { actorKind: "USER" as const, actor: actor.email, action: "delete", registryId, repository, tag, previousDigest: preview.digest, sourceAddress: actor.address };
  const role = roleIn(await accessOf(actor), registryId, repository);
  for (const t of preview.tags) {
    try {
      if (!hasRole(role, "OPERATOR")) throw forbidden(`deleting ${repository}:${t} needs the OPERATOR role on ${repository}; you have ${role === "NONE" ? "no grant" : role} there`);
      enforce(await protectionFor(registryId, repository, t), actor, `${repository}:${t}`, true, role);
    } catch (e) {
      await appendAudit({ ...base, outcome: "denied", details: { ...details, reason: (e as Error).message, tags: preview.tags } });
      throw e;
    }
  }
  if (confirmDigest !== preview.digest) {
    throw conflict(`confirm the delete with confirmDigest=${preview.digest}: ${preview.explanation}`, { ...preview });
  }
  try {
    const provider = await registryProvider(registryId);
    if (provider.deleteTag) await provider.deleteTag(repository, tag, preview.digest);
    else await provider.client.deleteManifest(repository, preview.digest);
  } catch (e) {
    await appendAudit({ ...base, outcome: "failure", details: { ...details, error: (e as Error).message, tags: preview.tags } });
    if ((e as { status?: number }).status === 405) {
      throw unsupported(`this registry does not allow deletes (registry:2 needs storage.delete.enabled: true): ${(e as Error).message}`);
    }
    throw e;
  }
  await recordDeletedTags(registryId, repository, preview.tags, preview.digest, actor.email);
  await appendAudit({ ...base, outcome: "success", details: { ...details, tags: preview.tags, method: preview.method } });
  return { deleted: preview.tags, digest: preview.digest };
}

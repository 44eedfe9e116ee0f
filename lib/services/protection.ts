import "server-only";
// Protection rules: registry + repository glob + tag glob -> minimum role and/or immutable.
// Checked on the server before any registry call that changes a tag.
import { forbidden, notFound } from "@/lib/errors";
import { appendAudit } from "@/lib/audit/log";
import { requireRegistryAdmin } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/guard";
import { hasRole, type GlobalRole, type Role } from "@/lib/schemas/roles";
import { db } from "@/lib/db";
import { isId } from "@/lib/schemas/id";
import { GlobSyntaxError } from "@/lib/glob";
import { compileGlob } from "@/lib/glob-match";
import { protectionRuleSchema } from "@/lib/schemas/promotion";

export interface Protection {
  minRole: Role;
  immutable: boolean;
  reasons: string[];
  /** a promotion into the tag needs a verified cosign signature (signature-gate.ts) */
  requireSignature: boolean;
  /** ... and a referrer of each of these artifactTypes */
  requireArtifactTypes: string[];
}

/** The combined protection of one tag: the highest minimum role, immutable if any rule says so. */
export async function protectionFor(registryId: string, repository: string, tag: string): Promise<Protection> {
  const rules = await db.protectionRule.findMany({ where: { OR: [{ registryId }, { registryId: null }] } });
  const hits = rules.filter((r) => ruleGlobMatches(r.repositoryGlob, repository) && ruleGlobMatches(r.tagGlob, tag));
  const order: Role[] = ["VIEWER", "OPERATOR", "ADMIN"];
  const minRole = hits.reduce<Role>((m, r) => (r.minRole !== "NONE" && order.indexOf(r.minRole) > order.indexOf(m) ? r.minRole : m), "OPERATOR");
  return {
    minRole,
    immutable: hits.some((r) => r.immutable),
    reasons: hits.map((r) => r.reason || `${r.repositoryGlob}:${r.tagGlob}${r.immutable ? " is immutable" : ` needs ${r.minRole.toLowerCase()}`}`),
    requireSignature: hits.some((r) => r.requireSignature),
    requireArtifactTypes: [...new Set(hits.flatMap((r) => (r.requireArtifactType ? [r.requireArtifactType] : [])))],
  };
}

// Globs are validated on input; one stored before that and unreadable now protects everything
// it might have meant (fail closed) rather than nothing.
function ruleGlobMatches(glob: string, value: string): boolean {
  try {
    return compileGlob(glob).test(value);
  } catch (err) {
    if (err instanceof GlobSyntaxError) return true;
    throw err;
  }
}

/**
 * Throws 403 when `actor` may not move this tag; `exists` says whether the tag already points
 * somewhere; `role` is the actor's role on that repository (global role and grants, lib/auth/access.ts).
 */
export function enforce(p: Protection, actor: Actor, target: string, exists: boolean, role: GlobalRole = actor.role) {
  if (!hasRole(role, p.minRole)) {
    throw forbidden(`${target} is protected: it needs the ${p.minRole} role (${p.reasons.join("; ")})`);
  }
  if (p.immutable && exists) {
    throw forbidden(`${target} is immutable: an existing tag is never moved (${p.reasons.join("; ")})`);
  }
}

/** The rules; with `visibleRegistryIds`, those of every registry (no registry) and of these. */
export async function listRules(visibleRegistryIds?: string[] | null) {
  const where = visibleRegistryIds ? { OR: [{ registryId: null }, { registryId: { in: visibleRegistryIds } }] } : {};
  return db.protectionRule.findMany({ where, orderBy: { createdAt: "asc" } });
}

export async function createRule(actor: Actor, body: unknown) {
  await requireRegistryAdmin(actor);
  const input = protectionRuleSchema.parse(body);
  await requireRegistryAdmin(actor, input.registryId ?? null);
  const rule = await db.protectionRule.create({ data: { ...input, registryId: input.registryId ?? null, minRole: input.minRole ?? "OPERATOR", immutable: input.immutable ?? false } });
  await appendAudit({ actorKind: "USER", actor: actor.email, action: "protection.create", outcome: "success", registryId: rule.registryId, sourceAddress: actor.address, details: { ...input } });
  return rule;
}

export async function deleteRule(actor: Actor, id: string) {
  await requireRegistryAdmin(actor);
  const rule = isId(id) ? await db.protectionRule.findUnique({ where: { id } }) : null;
  if (!rule) throw notFound(`protection rule ${id}`);
  await requireRegistryAdmin(actor, rule.registryId);
  await db.protectionRule.delete({ where: { id } });
  await appendAudit({ actorKind: "USER", actor: actor.email, action: "protection.delete", outcome: "success", registryId: rule.registryId, sourceAddress: actor.address, details: { repositoryGlob: rule.repositoryGlob, tagGlob: rule.tagGlob } });
}

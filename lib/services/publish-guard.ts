import "server-only";
// Nothing published by accident: a promotion that copies an image from a private or
// unknown-visibility repository into a public one needs the target registry's publishPolicy to
// allow it, the publishing grant (mayPublish), and `confirmPublish: true` in the request. The plan
// (dry run) shows both visibilities and says what will happen; a real request that lacks any of
// the three is refused before anything is written, and the refusal is audited as denied.
import { DomainError, forbidden } from "@/lib/errors";
import type { Actor } from "@/lib/auth/actor";
import { mayPublish } from "@/lib/auth/publish";
import type { RegistryProvider, RepositoryVisibility } from "@/lib/providers/types";
import type { PlanVisibility } from "@/lib/schemas/promotion";
import type { RegistryView } from "@/lib/schemas/registry";
import { repositoryVisibility } from "./visibility";

export interface PublishSide {
  registry: RegistryView;
  provider: RegistryProvider;
  repository: string;
}

export interface PublishCheck {
  /** what the plan shows */
  plan: PlanVisibility;
  /** why Promote cannot go ahead even with the confirmation (policy, grant); empty when it can */
  blockers: string[];
  /** the refusal of a real request (null: it may go ahead), with the reason for the audit event */
  refusal: DomainError | null;
}

const described = (v: RepositoryVisibility) => (v.visibility === "unknown" ? "of unknown visibility" : v.visibility);

/** The publish check of one promotion; a retag within one repository changes nobody's access and asks no vendor. */
export async function checkPublish(actor: Actor, source: PublishSide, target: PublishSide, confirmPublish: boolean): Promise<PublishCheck> {
  const same = source.registry.id === target.registry.id && source.repository === target.repository;
  const [src, dst] = same
    ? await repositoryVisibility(source.provider, source.repository).then((v) => [v, v] as const)
    : await Promise.all([repositoryVisibility(source.provider, source.repository), repositoryVisibility(target.provider, target.repository)]);
  // the source image exists: a vendor that says its repository does not is hiding a private one
  const srcSeen: RepositoryVisibility = src.exists === false ? { visibility: "unknown", basis: `${src.basis} (the vendor does not show this repository to Regatta's credentials)` } : src;
  const srcName = `${source.registry.name}/${source.repository}`;
  const dstName = `${target.registry.name}/${target.repository}`;
  const notes: string[] = [];
  if (dst.exists === false) notes.push(`${dstName} does not exist yet: the push will create it ${dst.visibility === "unknown" ? "with the registry's default visibility" : dst.visibility} (${dst.basis}).`);
  const publishes = !same && dst.visibility === "public" && srcSeen.visibility !== "public";
  const blockers: string[] = [];
  let refusal: DomainError | null = null;
  if (publishes) {
    notes.push(`This will publish an image from ${srcName} (${described(srcSeen)}) into ${dstName}, which is public: anyone will be able to pull it.`);
    if (target.registry.publishPolicy === "FORBID") {
      const m = `${target.registry.name} forbids publishing into its public repositories (Settings → Registries); ${srcName} is ${described(srcSeen)} and ${dstName} is public`;
      blockers.push(m);
      refusal = forbidden(m);
    } else if (!(await mayPublish(actor, target.registry.id, target.repository))) {
      const m = `you may not publish into ${dstName}: copying an image from ${srcName} (${described(srcSeen)}) into a public repository needs the publishing grant`;
      blockers.push(m);
      refusal = forbidden(m);
    } else if (!confirmPublish) {
      refusal = new DomainError("PUBLISH_NOT_CONFIRMED", `${dstName} is public and ${srcName} is ${described(srcSeen)}: confirm the publication (confirmPublish: true) to copy it there`, {
        confirm: "confirmPublish", source: srcSeen.visibility, target: dst.visibility,
      });
    }
  }
  return {
    plan: {
      source: { visibility: srcSeen.visibility, basis: srcSeen.basis },
      target: { visibility: dst.visibility, basis: dst.basis, ...(dst.exists !== undefined ? { exists: dst.exists } : {}) },
      publishes,
      confirmationRequired: publishes && blockers.length === 0,
      notes,
    },
    blockers,
    refusal,
  };
}

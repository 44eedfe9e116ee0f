import { z } from "zod";
import { idSchema } from "./id";
import { ROLES } from "@/lib/schemas/roles";
import { artifactType } from "./signing";
import { globField, reference, repositoryName as repository, tagName as tag, REPOSITORY_MAX } from "./names";

const uuid = idSchema("must be a registry id");

export const promotionRequestSchema = z
  .object({
    source: z.object({
      registryId: uuid, repository, reference,
      // the tag the person chose when `reference` pins its digest: shown in the promotions list
      tag: tag.optional(),
    }).strict(),
    target: z.object({ registryId: uuid, repository, tag }).strict(),
    overwrite: z.boolean().optional(),
    dryRun: z.boolean().optional(),
    // the person confirmed copying a private or unknown-visibility image into a public repository
    confirmPublish: z.boolean().optional(),
    // promote (default), retag, rollback: only the label in the history; the checks are the same
    kind: z.enum(["promote", "retag", "rollback"]).optional(),
  })
  .strict();
export type PromotionRequest = z.infer<typeof promotionRequestSchema>;

/** Longest `GET /promotions/{id}?wait=` a caller may ask for, in seconds. */
export const PROMOTION_WAIT_MAX_SECONDS = 30;
/** `?wait=<seconds>`: answer once the promotion has finished (succeeded or failed), or after that long. */
export const promotionQuerySchema = z
  .object({
    wait: z.coerce.number({ error: "wait must be a number of seconds" }).min(0, "wait must be at least 0").max(PROMOTION_WAIT_MAX_SECONDS, `wait must be at most ${PROMOTION_WAIT_MAX_SECONDS} seconds`).optional(),
  });

export const protectionRuleSchema = z
  .object({
    registryId: uuid.nullable().optional(),
    repositoryGlob: globField("repositoryGlob", REPOSITORY_MAX),
    tagGlob: globField("tagGlob", REPOSITORY_MAX),
    minRole: z.enum(ROLES, { error: `minRole must be one of ${ROLES.join(", ")}` }).optional(),
    immutable: z.boolean().optional(),
    reason: z.string().trim().max(200).optional(),
    /** a cosign signature verified by one of the signing keys (Settings → Signing keys) */
    requireSignature: z.boolean().optional(),
    /** a referrer of this artifactType (an SBOM, an attestation) */
    requireArtifactType: artifactType.nullable().optional(),
  })
  .strict();

export const stageSchema = z
  .object({
    name: z.string().trim().min(1, "name is required").max(40).regex(/^[\w.-]+$/, "name may contain letters, digits, . _ -"),
    position: z.number().int().min(0).max(100),
    registryId: uuid,
    repository,
  })
  .strict();

/** Succeeded or failed: nothing more will happen to it. */
export const promotionFinished = (state: PromotionView["state"]) => state === "succeeded" || state === "failed";

export interface PromotionView {
  id: string;
  kind: string;
  state: "queued" | "running" | "succeeded" | "failed";
  source: { registryId: string; repository: string; reference: string; tag?: string };
  target: { registryId: string; repository: string; tag: string };
  digest: string | null;
  previousDigest: string | null;
  bytesDone: number;
  bytesTotal: number;
  blobsDone: number;
  blobsTotal: number;
  error: string | null;
  requestedBy: string;
  createdAt: string;
  finishedAt: string | null;
}

export type VisibilityName = "public" | "private" | "unknown";

/** Who may pull the source and the target, and what the promotion will change about it. */
export interface PlanVisibility {
  source: { visibility: VisibilityName; basis: string };
  /** exists false: the push will create the repository with this (the vendor's default) visibility */
  target: { visibility: VisibilityName; basis: string; exists?: boolean };
  /** the image comes from a private or unknown-visibility repository and the target is public */
  publishes: boolean;
  /** publishes, and allowed: Promote needs confirmPublish: true */
  confirmationRequired: boolean;
  /** what will happen, in the future tense */
  notes: string[];
}

export interface PlanView {
  source: string;
  target: string;
  digest: string;
  existingTargetDigest: string | null;
  noop: boolean;
  manifests: number;
  /** "mount": from a repository of the target registry (the source's, or one Regatta's index says holds the blob). */
  blobs: { digest: string; size: number; action: "exists" | "mount" | "copy"; from?: string }[];
  bytesToCopy: number;
  /** what will make the promotion fail although the dry run itself worked (Promote is disabled) */
  blockers?: string[];
  visibility?: PlanVisibility;
  /** the signature / SBOM gate of the target's protection rules: what it requires and what is missing */
  gate?: { requires: string[]; missing: string[] };
}

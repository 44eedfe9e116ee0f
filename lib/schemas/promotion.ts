import { z } from "zod";
import { ROLES } from "@/lib/auth/roles";

const uuid = z.string().uuid("must be a registry id");
const repository = z.string({ error: "repository is required" }).min(1, "repository is required").max(255);
const tag = z.string({ error: "tag is required" }).min(1, "tag is required").max(128);

export const promotionRequestSchema = z
  .object({
    source: z.object({
      registryId: uuid, repository, reference: z.string({ error: "reference is required" }).min(1, "reference is required").max(200),
      // the tag the person chose when `reference` pins its digest: shown in the promotions list
      tag: tag.optional(),
    }).strict(),
    target: z.object({ registryId: uuid, repository, tag }).strict(),
    overwrite: z.boolean().optional(),
    dryRun: z.boolean().optional(),
    // promote (default), retag, rollback: only the label in the history; the checks are the same
    kind: z.enum(["promote", "retag", "rollback"]).optional(),
  })
  .strict();
export type PromotionRequest = z.infer<typeof promotionRequestSchema>;

export const protectionRuleSchema = z
  .object({
    registryId: uuid.nullable().optional(),
    repositoryGlob: z.string().trim().min(1, "repositoryGlob is required (use * for all)").max(255),
    tagGlob: z.string().trim().min(1, "tagGlob is required (use * for all)").max(128),
    minRole: z.enum(ROLES, { error: `minRole must be one of ${ROLES.join(", ")}` }).optional(),
    immutable: z.boolean().optional(),
    reason: z.string().trim().max(200).optional(),
  })
  .strict();

export const environmentSchema = z
  .object({
    name: z.string().trim().min(1, "name is required").max(40).regex(/^[\w.-]+$/, "name may contain letters, digits, . _ -"),
    position: z.number().int().min(0).max(100),
    registryId: uuid,
    repository,
  })
  .strict();

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

export interface PlanView {
  source: string;
  target: string;
  digest: string;
  existingTargetDigest: string | null;
  noop: boolean;
  manifests: number;
  blobs: { digest: string; size: number; action: "exists" | "mount" | "copy" }[];
  bytesToCopy: number;
  /** what will make the promotion fail although the dry run itself worked (Promote is disabled) */
  blockers?: string[];
}

// Retention policies: registry + repository glob + keep rules. Everything no rule keeps is a
// candidate for deletion, so a policy must have at least one keep rule.
import { parseExpression } from "cron-parser";
import { z } from "zod";
import { idSchema } from "./id";

/** A five-field cron expression (minute hour day-of-month month day-of-week, UTC), as pg-boss's own schedules take. */
export const cronSchedule = z
  .string()
  .trim()
  .max(100, "schedule is at most 100 characters")
  .refine((s) => s.split(/\s+/).length === 5, "schedule must be a cron expression of 5 fields (minute hour day-of-month month day-of-week), e.g. 0 3 * * *")
  .refine((s) => {
    try {
      parseExpression(s, { tz: "UTC" });
      return true;
    } catch {
      return false;
    }
  }, "schedule is not a valid cron expression");
import { globField, REPOSITORY_MAX, TAG_MAX } from "./names";

const uuid = idSchema("must be a registry id");

export const retentionRulesSchema = z
  .object({
    /** keep the newest `count` versions (semver-like order), over all tags or per major / minor line */
    keepLast: z
      .object({
        count: z.number({ error: "keepLast.count must be a number" }).int().min(1, "keepLast.count is at least 1").max(10_000),
        per: z.enum(["all", "major", "minor"], { error: "keepLast.per must be all, major or minor" }).optional(),
      })
      .strict()
      .optional(),
    /** keep tags pushed in the last `keepDays` days */
    keepDays: z.number({ error: "keepDays must be a number" }).int().min(1, "keepDays is at least 1").max(36_500).optional(),
    /** keep tags matching any of these globs */
    keepTags: z.array(globField("keepTags", TAG_MAX * 2)).max(50, "at most 50 keepTags globs").optional(),
  })
  .strict()
  .refine((r) => r.keepLast || r.keepDays || r.keepTags?.length, "a policy needs at least one keep rule (keepLast, keepDays or keepTags)");
export type RetentionRules = z.infer<typeof retentionRulesSchema>;

export const retentionPolicySchema = z
  .object({
    name: z.string().trim().min(1, "name is required").max(80, "name is at most 80 characters"),
    registryId: uuid,
    repositoryGlob: globField("repositoryGlob", REPOSITORY_MAX),
    rules: retentionRulesSchema,
    /** runs by itself on this cron schedule (UTC); null or absent: only by click */
    schedule: cronSchedule.nullable().optional(),
  })
  .strict();
export const retentionPolicyPatchSchema = retentionPolicySchema.partial().strict();
export type RetentionPolicyInput = z.infer<typeof retentionPolicySchema>;

export interface RetentionItem {
  registryId: string;
  repository: string;
  tag: string;
  digest: string;
  reason: string;
}

export interface RetentionPreview {
  delete: RetentionItem[];
  keep: RetentionItem[];
  /** bytes of the blobs only deleted manifests use (from Regatta's manifest index and the manifests) */
  bytes: number;
}

export interface RetentionPolicyView {
  id: string;
  name: string;
  registryId: string;
  repositoryGlob: string;
  rules: RetentionRules;
  schedule: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface RetentionRunView {
  id: string;
  policyId: string;
  state: "running" | "stopping" | "stopped" | "succeeded" | "failed";
  requestedBy: string;
  total: number;
  deleted: number;
  failed: number;
  bytes: number;
  report: { deleted: { repository: string; tag: string; digest: string }[]; failures: { repository: string; tag: string; error: string }[] } | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

"use client";
import type { RuleRow, StageRow } from "@/components/hooks/use-pipeline";
import { useList } from "@/components/hooks/resource";

/** The list of stages; a prefix of every per-tag stages query (use-stages.ts), so a change refreshes both. */
export const stageListKey = ["stages", "list"] as const;
export const rulesKey = ["rules"] as const;

/** The pipeline's stages in order and the protection rules, read-only (any signed-in person). */
export function useStageList() {
  return {
    stages: useList<StageRow>(stageListKey, "/stages", "stages"),
    rules: useList<RuleRow>(rulesKey, "/protection-rules", "rules"),
  };
}

"use client";
import { useCrudMutations } from "@/components/hooks/resource";
import { rulesKey, useStageList } from "@/components/hooks/use-stage-list";

export interface StageRow { id: string; name: string; position: number; registryId: string; repository: string }
export interface RuleRow { id: string; registryId: string | null; repositoryGlob: string; tagGlob: string; minRole: string; immutable: boolean; reason: string | null; requireSignature?: boolean; requireArtifactType?: string | null }

/** The stages and protection rules with their changes (Settings → Pipeline). */
export function usePipeline() {
  const { stages, rules } = useStageList();
  const keys = [["stages"], rulesKey] as const;
  const stage = useCrudMutations<StageRow>("/stages", ...keys);
  const rule = useCrudMutations<RuleRow>("/protection-rules", ...keys);
  return { stages, rules, addStage: stage.create, removeStage: stage.remove, addRule: rule.create, removeRule: rule.remove };
}

"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "@/components/api";
import { useStageList } from "@/components/hooks/use-stage-list";

export interface EnvironmentRow { id: string; name: string; position: number; registryId: string; repository: string }
export interface RuleRow { id: string; registryId: string | null; repositoryGlob: string; tagGlob: string; minRole: string; immutable: boolean; reason: string | null; requireSignature?: boolean; requireArtifactType?: string | null }

export function usePipeline() {
  const qc = useQueryClient();
  const { stages: envs, rules } = useStageList();
  const refresh = () => {
    qc.invalidateQueries({ queryKey: ["environments"] });
    qc.invalidateQueries({ queryKey: ["rules"] });
  };
  return {
    envs,
    rules,
    addEnv: useMutation({ mutationFn: (b: unknown) => api("/environments", { method: "POST", body: b }), onSuccess: refresh }),
    removeEnv: useMutation({ mutationFn: (id: string) => api(`/environments/${id}`, { method: "DELETE" }), onSuccess: refresh }),
    addRule: useMutation({ mutationFn: (b: unknown) => api("/protection-rules", { method: "POST", body: b }), onSuccess: refresh }),
    removeRule: useMutation({ mutationFn: (id: string) => api(`/protection-rules/${id}`, { method: "DELETE" }), onSuccess: refresh }),
  };
}

"use client";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";
import type { EnvironmentRow, RuleRow } from "@/components/hooks/use-pipeline";

/** The pipeline's stages in order and the protection rules, read-only (any signed-in person). */
export function useStageList() {
  return {
    stages: useQuery({ queryKey: ["environments"], queryFn: async () => (await api<{ environments: EnvironmentRow[] }>("/environments")).environments }),
    rules: useQuery({ queryKey: ["rules"], queryFn: async () => (await api<{ rules: RuleRow[] }>("/protection-rules")).rules }),
  };
}

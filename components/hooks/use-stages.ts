"use client";
// Where a tag stands in the pipeline: its digest in every stage (GET /stages?tag=).
import { useQueries, useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";

export interface StageCell { id: string; name: string; registryId: string; repository: string; digest: string | null | undefined; error?: string }

export const stagesKey = (reference: string) => ["stages", { reference }] as const;
const fetchStages = async (tag: string) => (await api<{ stages: StageCell[] }>(`/stages?tag=${encodeURIComponent(tag)}`)).stages;

export function useStages(tag: string, enabled = true) {
  return useQuery({ queryKey: stagesKey(tag), queryFn: () => fetchStages(tag), enabled });
}

/** The same for many versions at once (the pipeline matrix: one row per version). */
export function useStagesOf(tags: string[]) {
  return useQueries({ queries: tags.map((tag) => ({ queryKey: stagesKey(tag), queryFn: () => fetchStages(tag) })) });
}

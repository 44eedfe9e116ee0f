"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/components/api";
import type { RetentionPolicyView, RetentionPreview, RetentionRunView } from "@/lib/schemas/retention";

const policiesKey = ["retention-policies"] as const;
const runsKey = (policyId: string) => ["retention-runs", policyId] as const;

/** The policies, and adding one. */
export function useRetentionPolicies() {
  const qc = useQueryClient();
  return {
    policies: useQuery({ queryKey: policiesKey, queryFn: async () => (await api<{ policies: RetentionPolicyView[] }>("/retention-policies")).policies }),
    add: useMutation({ mutationFn: (b: unknown) => api("/retention-policies", { method: "POST", body: b }), onSuccess: () => qc.invalidateQueries({ queryKey: policiesKey }) }),
  };
}

/** A policy's runs (polled while one runs), and stopping one. */
export function useRetentionRuns(policyId: string) {
  const qc = useQueryClient();
  return {
    runs: useQuery({
      queryKey: runsKey(policyId),
      queryFn: async () => (await api<{ runs: RetentionRunView[] }>(`/retention-policies/${policyId}/runs`)).runs,
      refetchInterval: (q) => (q.state.data?.some((r) => r.state === "running" || r.state === "stopping") ? 1000 : false),
    }),
    stop: useMutation({ mutationFn: (runId: string) => api(`/retention-policies/${policyId}/runs/${runId}/stop`, { method: "POST" }), onSuccess: () => qc.invalidateQueries({ queryKey: runsKey(policyId) }) }),
  };
}

/** Preview, run and remove one policy. */
export function useRetentionPolicy(policyId: string, on: { previewed: () => void; started: () => void }) {
  const qc = useQueryClient();
  return {
    preview: useMutation({ mutationFn: () => api<RetentionPreview>(`/retention-policies/${policyId}/preview`, { method: "POST" }), onSuccess: on.previewed }),
    run: useMutation({
      mutationFn: () => api<{ id: string }>(`/retention-policies/${policyId}/runs`, { method: "POST" }),
      onSuccess: () => {
        on.started();
        qc.invalidateQueries({ queryKey: runsKey(policyId) });
      },
    }),
    remove: useMutation({ mutationFn: () => api(`/retention-policies/${policyId}`, { method: "DELETE" }), onSuccess: () => qc.invalidateQueries({ queryKey: policiesKey }) }),
  };
}

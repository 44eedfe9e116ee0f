"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/components/api";
import type { SyncResult, SyncStatus } from "@/lib/schemas/sync";

export type SyncStatusView = SyncStatus;
export type SyncResultView = SyncResult;

const busy = (s?: SyncStatusView) => s?.state === "queued" || s?.state === "running";

export function useSyncStatus(registryId: string) {
  return useQuery({
    queryKey: ["sync", { registryId }],
    queryFn: () => api<SyncStatusView>(`/registries/${registryId}/sync`),
    refetchInterval: (q) => (busy(q.state.data) ? 1000 : 30_000),
  });
}

export function useSyncNow(registryId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ queued: boolean; status: SyncStatusView }>(`/registries/${registryId}/sync`, { method: "POST" }),
    onSuccess: (r) => {
      qc.setQueryData(["sync", { registryId }], r.status);
      qc.invalidateQueries({ queryKey: ["repositories", { registryId }] });
    },
  });
}

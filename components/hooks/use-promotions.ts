"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { PlanView, PromotionView } from "@/lib/schemas/promotion";
import { api } from "@/components/api";

const running = (p?: PromotionView) => p?.state === "queued" || p?.state === "running";

export function usePromotion(id: string | null) {
  return useQuery({
    queryKey: ["promotion", { id }],
    queryFn: () => api<PromotionView>(`/promotions/${id}`),
    enabled: !!id,
    // progress lives in the database: polling shows it on every instance and after a reload
    refetchInterval: (q) => (running(q.state.data) ? 500 : false),
  });
}

export function usePromotions() {
  return useQuery({
    queryKey: ["promotions"],
    queryFn: async () => (await api<{ promotions: PromotionView[] }>("/promotions")).promotions,
    refetchInterval: (q) => (q.state.data?.some(running) ? 1000 : 10_000),
  });
}

export interface PromotionBody {
  source: { registryId: string; repository: string; reference: string; tag?: string };
  target: { registryId: string; repository: string; tag: string };
  overwrite?: boolean;
  /** copying a private or unknown-visibility image into a public repository was confirmed */
  confirmPublish?: boolean;
  kind?: "promote" | "retag" | "rollback";
}

export function usePromotionMutations() {
  const qc = useQueryClient();
  const done = () => {
    qc.invalidateQueries({ queryKey: ["promotions"] });
    qc.invalidateQueries({ queryKey: ["tag-history"] });
    qc.invalidateQueries({ queryKey: ["stages"] });
  };
  return {
    plan: useMutation({ mutationFn: (b: PromotionBody) => api<{ plan: PlanView }>("/promotions", { method: "POST", body: { ...b, dryRun: true } }) }),
    run: useMutation({ mutationFn: (b: PromotionBody) => api<PromotionView>("/promotions", { method: "POST", body: b }), onSuccess: done }),
    retry: useMutation({ mutationFn: (id: string) => api<PromotionView>(`/promotions/${id}/retry`, { method: "POST" }), onSuccess: done }),
  };
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { NotificationDeliveryView, NotificationRuleView } from "@/lib/schemas/notification";
import { api } from "@/components/api";

const rulesKey = ["notification-rules"] as const;
const deliveriesKey = ["notification-deliveries"] as const;

export function useNotificationRules() {
  return useQuery({ queryKey: rulesKey, queryFn: async () => (await api<{ rules: NotificationRuleView[] }>("/notification-rules")).rules });
}

/** The delivery log, refreshed every few seconds while retries may be under way. */
export function useNotificationDeliveries() {
  return useQuery({
    queryKey: deliveriesKey,
    queryFn: async () => (await api<{ deliveries: NotificationDeliveryView[] }>("/notification-deliveries?limit=50")).deliveries,
    refetchInterval: (q) => (q.state.data?.some((d) => d.state === "PENDING" || d.state === "RETRYING") ? 2_000 : 15_000),
  });
}

type Saved = { rule: NotificationRuleView; secret?: string };

export function useNotificationMutations() {
  const qc = useQueryClient();
  const done = () => Promise.all([qc.invalidateQueries({ queryKey: rulesKey }), qc.invalidateQueries({ queryKey: deliveriesKey })]);
  return {
    create: useMutation({ mutationFn: (body: unknown) => api<Saved>("/notification-rules", { method: "POST", body }), onSuccess: done }),
    update: useMutation({ mutationFn: ({ id, body }: { id: string; body: unknown }) => api<Saved>(`/notification-rules/${id}`, { method: "PATCH", body }), onSuccess: done }),
    remove: useMutation({ mutationFn: (id: string) => api<void>(`/notification-rules/${id}`, { method: "DELETE" }), onSuccess: done }),
    test: useMutation({ mutationFn: (id: string) => api<{ deliveryId: string }>(`/notification-rules/${id}/test`, { method: "POST" }), onSuccess: done }),
  };
}

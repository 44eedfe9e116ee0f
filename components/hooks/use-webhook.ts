"use client";
import { useMutation } from "@tanstack/react-query";
import { api } from "@/components/api";

export interface WebhookAnswer { url: string; secret: string; deliveryUrl?: string; kind: string; source: string | null }

/** Makes (or replaces) a registry's webhook: its URL and secret, shown once. */
export function useMakeWebhook(registryId: string) {
  return useMutation({ mutationFn: () => api<WebhookAnswer>(`/registries/${registryId}/webhook`, { method: "POST" }) });
}

"use client";
import { useMutation } from "@tanstack/react-query";
import { api } from "@/components/api";

export interface RegistryTestResult { reachable: boolean; authenticated: boolean; catalog: boolean; delete: boolean | null; message: string }

/** Test connection: reachable, signed in, catalog, delete. */
export function useRegistryTest(registryId: string) {
  return useMutation({ mutationFn: () => api<RegistryTestResult>(`/registries/${registryId}/test`, { method: "POST" }) });
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { RegistryView } from "@/lib/schemas/registry";
import { api } from "@/components/api";

export const registriesKey = ["registries"] as const;

export function useRegistries(initial?: RegistryView[]) {
  return useQuery({
    queryKey: registriesKey,
    queryFn: async () => (await api<{ registries: RegistryView[] }>("/registries")).registries,
    initialData: initial,
  });
}

export function useRegistryMutations() {
  const qc = useQueryClient();
  const done = () => qc.invalidateQueries({ queryKey: registriesKey });
  return {
    create: useMutation({ mutationFn: (body: unknown) => api<RegistryView>("/registries", { method: "POST", body }), onSuccess: done }),
    update: useMutation({
      mutationFn: ({ id, body }: { id: string; body: unknown }) => api<RegistryView>(`/registries/${id}`, { method: "PATCH", body }),
      onSuccess: done,
    }),
    remove: useMutation({ mutationFn: (id: string) => api<void>(`/registries/${id}`, { method: "DELETE" }), onSuccess: done }),
  };
}

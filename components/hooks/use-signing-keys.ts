"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/components/api";
import type { SigningKeyView } from "@/lib/schemas/signing";

export function useSigningKeys(initial?: SigningKeyView[]) {
  const qc = useQueryClient();
  const keys = useQuery({ queryKey: ["signing-keys"], queryFn: async () => (await api<{ keys: SigningKeyView[] }>("/signing-keys")).keys, initialData: initial });
  const refresh = () => qc.invalidateQueries({ queryKey: ["signing-keys"] });
  return {
    keys,
    add: useMutation({ mutationFn: (b: { name: string; publicKeyPem: string }) => api<SigningKeyView>("/signing-keys", { method: "POST", body: b }), onSuccess: refresh }),
    remove: useMutation({ mutationFn: (id: string) => api(`/signing-keys/${id}`, { method: "DELETE" }), onSuccess: refresh }),
  };
}

"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TokenView } from "@/lib/schemas/user";
import { api } from "@/components/api";

const key = ["tokens"] as const;
const allKey = ["tokens", "all"] as const;

export function useTokens(initial?: TokenView[]) {
  return useQuery({ queryKey: key, queryFn: async () => (await api<{ tokens: TokenView[] }>("/tokens")).tokens, initialData: initial });
}

/** Everyone's tokens with their owners (admins only). */
export function useAllTokens(initial?: TokenView[], enabled = true) {
  return useQuery({ queryKey: allKey, queryFn: async () => (await api<{ tokens: TokenView[] }>("/tokens?all=true")).tokens, initialData: initial, enabled });
}

export function useTokenMutations() {
  const qc = useQueryClient();
  const done = () => qc.invalidateQueries({ queryKey: key });
  return {
    create: useMutation({ mutationFn: (body: unknown) => api<TokenView & { token: string }>("/tokens", { method: "POST", body }), onSuccess: done }),
    revoke: useMutation({ mutationFn: (id: string) => api<void>(`/tokens/${id}`, { method: "DELETE" }), onSuccess: done }),
  };
}

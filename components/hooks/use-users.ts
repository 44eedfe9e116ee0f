"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { UserView } from "@/lib/schemas/user";
import { api } from "@/components/api";

const key = ["users"] as const;

export function useUsers(initial?: UserView[]) {
  return useQuery({ queryKey: key, queryFn: async () => (await api<{ users: UserView[] }>("/users")).users, initialData: initial });
}

export function useUserMutations() {
  const qc = useQueryClient();
  const done = () => qc.invalidateQueries({ queryKey: key });
  return {
    create: useMutation({ mutationFn: (body: unknown) => api<UserView>("/users", { method: "POST", body }), onSuccess: done }),
    update: useMutation({
      mutationFn: ({ id, body }: { id: string; body: unknown }) => api<UserView>(`/users/${id}`, { method: "PATCH", body }),
      onSuccess: done,
    }),
    remove: useMutation({ mutationFn: (id: string) => api<void>(`/users/${id}`, { method: "DELETE" }), onSuccess: done }),
  };
}

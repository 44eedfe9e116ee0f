"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { GrantView, TeamView } from "@/lib/schemas/team";
import { api } from "@/components/api";

const key = ["teams"] as const;

export function useTeams(initial?: TeamView[]) {
  return useQuery({ queryKey: key, queryFn: async () => (await api<{ teams: TeamView[] }>("/teams")).teams, initialData: initial });
}

export function useTeamMutations() {
  const qc = useQueryClient();
  const done = () => qc.invalidateQueries({ queryKey: key });
  return {
    create: useMutation({ mutationFn: (body: unknown) => api<TeamView>("/teams", { method: "POST", body }), onSuccess: done }),
    update: useMutation({ mutationFn: ({ id, body }: { id: string; body: unknown }) => api<TeamView>(`/teams/${id}`, { method: "PATCH", body }), onSuccess: done }),
    remove: useMutation({ mutationFn: (id: string) => api<void>(`/teams/${id}`, { method: "DELETE" }), onSuccess: done }),
    addMember: useMutation({ mutationFn: ({ id, userId }: { id: string; userId: string }) => api<TeamView>(`/teams/${id}/members`, { method: "POST", body: { userId } }), onSuccess: done }),
    removeMember: useMutation({ mutationFn: ({ id, userId }: { id: string; userId: string }) => api<void>(`/teams/${id}/members/${userId}`, { method: "DELETE" }), onSuccess: done }),
    addGrant: useMutation({ mutationFn: ({ id, body }: { id: string; body: unknown }) => api<GrantView>(`/teams/${id}/grants`, { method: "POST", body }), onSuccess: done }),
    removeGrant: useMutation({ mutationFn: ({ id, grantId }: { id: string; grantId: string }) => api<void>(`/teams/${id}/grants/${grantId}`, { method: "DELETE" }), onSuccess: done }),
  };
}

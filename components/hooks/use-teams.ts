"use client";
import { useMutation } from "@tanstack/react-query";
import type { GrantView, TeamView } from "@/lib/schemas/team";
import { api } from "@/components/api";
import { useCrudMutations, useList, useRefresh } from "@/components/hooks/resource";

const key = ["teams"] as const;

export const useTeams = (initial?: TeamView[]) => useList<TeamView>(key, "/teams", "teams", initial);

export function useTeamMutations() {
  const done = useRefresh(key);
  return {
    ...useCrudMutations<TeamView>("/teams", key),
    addMember: useMutation({ mutationFn: ({ id, userId }: { id: string; userId: string }) => api<TeamView>(`/teams/${id}/members`, { method: "POST", body: { userId } }), onSuccess: done }),
    removeMember: useMutation({ mutationFn: ({ id, userId }: { id: string; userId: string }) => api<void>(`/teams/${id}/members/${userId}`, { method: "DELETE" }), onSuccess: done }),
    addGrant: useMutation({ mutationFn: ({ id, body }: { id: string; body: unknown }) => api<GrantView>(`/teams/${id}/grants`, { method: "POST", body }), onSuccess: done }),
    removeGrant: useMutation({ mutationFn: ({ id, grantId }: { id: string; grantId: string }) => api<void>(`/teams/${id}/grants/${grantId}`, { method: "DELETE" }), onSuccess: done }),
  };
}

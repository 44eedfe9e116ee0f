"use client";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";

export interface LastPush { at: string; actor: string; actorKind: string; action: string; digest: string | null }

/** Who last moved a tag (a registry event or a Regatta action), null when nobody said. */
export function useLastPush(registryId: string, repository: string, tag: string, enabled = true) {
  return useQuery({
    queryKey: ["last-push", { registryId, repository, reference: tag }],
    queryFn: async () => (await api<{ push: LastPush | null }>(`/audit/last-push?${new URLSearchParams({ registryId, repository, tag })}`)).push,
    enabled,
  });
}

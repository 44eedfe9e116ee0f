"use client";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";
import type { DayActivity } from "@/components/audit-types";

export function useAuditActivity(initial?: DayActivity[]) {
  return useQuery({
    queryKey: ["audit-activity"],
    queryFn: async () => (await api<{ days: DayActivity[] }>("/audit/activity")).days,
    initialData: initial,
  });
}

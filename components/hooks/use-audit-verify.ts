"use client";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";

export interface ChainStatus {
  intact: boolean;
  checked: number;
  firstBroken?: { id: string; at: string; action: string; reason: string };
  keyed?: number;
  legacy?: number;
  checkpoint?: { state: "none" | "reached" | "truncated" | "invalid" | "other-log"; message: string };
}

export function useAuditVerify() {
  return useQuery({ queryKey: ["audit-verify"], queryFn: () => api<ChainStatus>("/audit/verify"), staleTime: 60_000 });
}

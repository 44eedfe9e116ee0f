"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { api } from "@/components/api";
import type { AuditEventRow, AuditFilters } from "@/components/audit-types";

export function auditQueryString(f: AuditFilters, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra })) if (v) p.set(k, v);
  return p.toString();
}

/** The audit log, newest first, one page of `limit` per "load more". */
export function useAuditEvents(filters: AuditFilters, initial?: { events: AuditEventRow[]; nextCursor?: string }, limit = 100) {
  return useInfiniteQuery({
    queryKey: ["audit", { filters, limit }],
    queryFn: ({ pageParam }) =>
      api<{ events: AuditEventRow[]; nextCursor?: string }>(`/audit?${auditQueryString(filters, { limit: String(limit), ...(pageParam ? { cursor: pageParam } : {}) })}`),
    initialPageParam: "",
    getNextPageParam: (last) => last.nextCursor,
    initialData: initial ? { pages: [initial], pageParams: [""] } : undefined,
  });
}

"use client";
// The shape most settings hooks share: one list under a query key, and create/update/remove on
// the collection's path that refresh it. A hook file names its resource and adds its own extras.
import { useMutation, useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { api } from "@/components/api";

/** GET `path` and take the list under `field` (e.g. `/users` → `{ users: [...] }`). */
export function useList<T>(key: QueryKey, path: string, field: string, initial?: T[], enabled = true) {
  return useQuery({ queryKey: key, queryFn: async () => (await api<Record<string, T[]>>(path))[field] ?? [], initialData: initial, enabled });
}

/** A function that refreshes every list under `keys` (for a hook's extra mutations). */
export function useRefresh(...keys: QueryKey[]) {
  const qc = useQueryClient();
  return () => Promise.all(keys.map((queryKey) => qc.invalidateQueries({ queryKey }))).then(() => undefined);
}

/** POST `path`, PATCH and DELETE `path/{id}`; each refreshes the lists under `keys`. */
export function useCrudMutations<T>(path: string, ...keys: QueryKey[]) {
  const done = useRefresh(...keys);
  return {
    create: useMutation({ mutationFn: (body: unknown) => api<T>(path, { method: "POST", body }), onSuccess: done }),
    update: useMutation({ mutationFn: ({ id, body }: { id: string; body: unknown }) => api<T>(`${path}/${id}`, { method: "PATCH", body }), onSuccess: done }),
    remove: useMutation({ mutationFn: (id: string) => api<void>(`${path}/${id}`, { method: "DELETE" }), onSuccess: done }),
  };
}

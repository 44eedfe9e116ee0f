"use client";
import type { UserView } from "@/lib/schemas/user";
import { useCrudMutations, useList } from "@/components/hooks/resource";

const key = ["users"] as const;

export const useUsers = (initial?: UserView[]) => useList<UserView>(key, "/users", "users", initial);

export const useUserMutations = () => useCrudMutations<UserView>("/users", key);

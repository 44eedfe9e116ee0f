"use client";
import type { RegistryView } from "@/lib/schemas/registry";
import { useCrudMutations, useList } from "@/components/hooks/resource";

export const registriesKey = ["registries"] as const;

export const useRegistries = (initial?: RegistryView[]) => useList<RegistryView>(registriesKey, "/registries", "registries", initial);

export const useRegistryMutations = () => useCrudMutations<RegistryView>("/registries", registriesKey);

import "server-only";
// One provider per registry kind.
import type { RegistryKind } from "@/lib/schemas/registry";
import { ecr } from "./ecr";
import { ecrPublic } from "./ecr-public";
import { generic } from "./generic";
import { google } from "./google";
import { ghcr } from "./ghcr";
import { gitlab } from "./gitlab";
import { dockerhub } from "./dockerhub";
import { harbor } from "./harbor";
import { quay } from "./quay";
import type { Connection, ProviderDefinition, RegistryProvider } from "./types";

export type * from "./types";

const PROVIDERS: Record<RegistryKind, ProviderDefinition> = {
  GENERIC: generic,
  GHCR: ghcr,
  GITLAB: gitlab,
  ECR: ecr,
  ECR_PUBLIC: ecrPublic,
  GOOGLE: google,
  DOCKERHUB: dockerhub,
  QUAY: quay,
  HARBOR: harbor,
};

export function providerDefinition(kind: RegistryKind): ProviderDefinition {
  return PROVIDERS[kind];
}

/** Opens a connection with its kind's provider; the REST API base defaults per kind. */
export function openProvider(c: Connection): RegistryProvider {
  const def = providerDefinition(c.kind);
  return def.open({ ...c, apiEndpoint: c.apiEndpoint || def.defaultApiEndpoint?.(c) || null });
}

import "server-only";
// One provider (and so one RegistryClient) per registry and process, so tokens are cached across
// requests. A changed connection (new credentials or endpoint, hence a new updatedAt) opens a new one.
import { openProvider, type RegistryProvider } from "@/lib/providers";
import type { RegistryClient } from "@/lib/registry";
import type { RegistryView } from "@/lib/schemas/registry";
import { registryConnection } from "./registries";

const providers = new Map<string, { updatedAt: string; provider: RegistryProvider }>();

export async function registryClient(registryId: string): Promise<RegistryClient> {
  return (await registryWithClient(registryId)).client;
}

/** The registry (404 when unknown), its provider and its client, from one read of its row. */
export async function registryWithClient(registryId: string): Promise<{ registry: RegistryView; client: RegistryClient; provider: RegistryProvider }> {
  const { credentials, ...registry } = await registryConnection(registryId);
  const cached = providers.get(registryId);
  if (cached && cached.updatedAt === registry.updatedAt) return { registry, client: cached.provider.client, provider: cached.provider };
  const provider = openProvider({ ...registry, credentials });
  providers.set(registryId, { updatedAt: registry.updatedAt, provider });
  return { registry, client: provider.client, provider };
}

export async function registryProvider(registryId: string): Promise<RegistryProvider> {
  return (await registryWithClient(registryId)).provider;
}

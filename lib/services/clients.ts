import "server-only";
// One RegistryClient per registry and process, so tokens are cached across requests. A changed
// connection (new credentials or endpoint, hence a new updatedAt) makes a new one.
import { clientFor } from "@/lib/providers/generic";
import type { RegistryClient } from "@/lib/registry";
import type { RegistryView } from "@/lib/schemas/registry";
import { registryConnection } from "./registries";

const clients = new Map<string, { updatedAt: string; client: RegistryClient }>();

export async function registryClient(registryId: string): Promise<RegistryClient> {
  return (await registryWithClient(registryId)).client;
}

/** The registry (404 when unknown) and its client, from one read of its row. */
export async function registryWithClient(registryId: string): Promise<{ registry: RegistryView; client: RegistryClient }> {
  const { credentials, ...registry } = await registryConnection(registryId);
  const cached = clients.get(registryId);
  if (cached && cached.updatedAt === registry.updatedAt) return { registry, client: cached.client };
  const client = clientFor({ ...registry, credentials });
  clients.set(registryId, { updatedAt: registry.updatedAt, client });
  return { registry, client };
}

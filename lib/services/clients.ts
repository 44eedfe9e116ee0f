import "server-only";
// One RegistryClient per registry and process, so tokens are cached across requests. A changed
// connection (new credentials or endpoint, hence a new updatedAt) makes a new one.
import { clientFor } from "@/lib/providers/generic";
import type { RegistryClient } from "@/lib/registry";
import { registryConnection } from "./registries";

const clients = new Map<string, { updatedAt: string; client: RegistryClient }>();

export async function registryClient(registryId: string): Promise<RegistryClient> {
  const conn = await registryConnection(registryId);
  const cached = clients.get(registryId);
  if (cached && cached.updatedAt === conn.updatedAt) return cached.client;
  const c = clientFor(conn);
  clients.set(registryId, { updatedAt: conn.updatedAt, client: c });
  return c;
}

import "server-only";
import { testConnection, type ConnectionTest } from "@/lib/providers/generic";
import { registryConnection } from "./registries";

/** "Test connection": reachable, authenticated, catalog, delete enabled, with the registry's own words. */
export async function testRegistry(id: string): Promise<ConnectionTest> {
  return testConnection(await registryConnection(id));
}

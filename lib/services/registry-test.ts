import "server-only";
import { openProvider, type ConnectionTest } from "@/lib/providers";
import { registryConnection } from "./registries";

/** "Test connection": reachable, authenticated, listing, delete allowed, what is missing, in the registry's own words. */
export async function testRegistry(id: string): Promise<ConnectionTest> {
  return openProvider(await registryConnection(id)).testConnection();
}

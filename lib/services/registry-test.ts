import "server-only";
import type { Actor } from "@/lib/auth/guard";
import { hasRole } from "@/lib/schemas/roles";
import { openProvider, type ConnectionTest } from "@/lib/providers";
import { withoutWriteProbes } from "@/lib/providers/probe-policy";
import { registryConnection } from "./registries";

/**
 * "Test connection": reachable, authenticated, listing, delete allowed, what is missing, in the
 * registry's own words. Only an admin's test probes push and delete (lib/providers/probe-policy.ts);
 * anyone else's says whether deletes are allowed only as "could not be told" (delete: null).
 */
export async function testRegistry(id: string, actor?: Pick<Actor, "role">): Promise<ConnectionTest> {
  const connection = await registryConnection(id);
  const run = () => openProvider(connection).testConnection();
  if (actor && hasRole(actor.role, "ADMIN")) return run();
  const result = await withoutWriteProbes(run);
  return result.authenticated ? { ...result, message: `${result.message} Push and delete permissions are checked only when an admin runs the test.`.trim() } : result;
}

import "server-only";
// One provider (and so one RegistryClient) per registry and process, so tokens are cached across
// requests. A changed connection (new credentials or endpoint, hence a new updatedAt) opens a new one.
import { openProvider, type RegistryProvider } from "@/lib/providers";
import type { RegistryClient } from "@/lib/registry";
import type { RegistryView } from "@/lib/schemas/registry";
import { registryConnection } from "./registries";
import { metrics, nameRegistry, outcomeOf, registryLabels } from "@/lib/observability/metrics";
import { observeRegistryCalls } from "@/lib/registry";
import { processWide } from "@/lib/process-wide";

// every registry call of this process, as metrics: by kind, registry and outcome, with latency
observeRegistryCalls((e) => {
  const labels = registryLabels(e.endpoint);
  if (e.type === "token") {
    metrics.tokenRequests.inc({ ...labels, outcome: e.status !== undefined && e.status < 400 ? "ok" : "failed" });
    return;
  }
  metrics.registryCalls.inc({ ...labels, outcome: outcomeOf(e.status) });
  metrics.registryDuration.observe(labels, e.seconds);
  if (e.rateLimitRemaining !== undefined) metrics.rateLimitRemaining.set(labels, e.rateLimitRemaining);
});

// one per process, not per bundle (lib/process-wide.ts): the page and the routes share clients and tokens
const providers = processWide("registryProviders", () => new Map<string, { updatedAt: string; provider: RegistryProvider }>());

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
  nameRegistry(hostOf(registry.endpoint), registry.kind, registry.name);
  return { registry, client: provider.client, provider };
}

export async function registryProvider(registryId: string): Promise<RegistryProvider> {
  return (await registryWithClient(registryId)).provider;
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

import "server-only";
// The generic provider: self-hosted registry:2 and any OCI registry with `_catalog`. The vendors'
// providers build on it (their /v2 API is the same protocol).
import { randomBytes } from "node:crypto";
import { RegistryClient, RegistryError, computeDigest, type PingResult } from "@/lib/registry";
import type { Connection, ConnectionTest, ProviderDefinition } from "./types";
import { writeProbesAllowed } from "./probe-policy";
import { CONCURRENCY_DEFAULT, CONCURRENCY_MAX } from "@/lib/schemas/registry";

export type { Connection, ConnectionTest };

type ClientConfig = ConstructorParameters<typeof RegistryClient>[0];

/** Requests in flight per registry host for the whole process (REGATTA_REGISTRY_CONCURRENCY, 1–64; default 8). */
export function registryConcurrency(): number {
  const n = Number(process.env.REGATTA_REGISTRY_CONCURRENCY || CONCURRENCY_DEFAULT);
  return Number.isInteger(n) && n >= 1 && n <= CONCURRENCY_MAX ? n : CONCURRENCY_DEFAULT;
}

/**
 * What every provider's /v2 client runs with: 10 s per request, one retry, and the bound on
 * requests in flight to its host: the registry's own setting, else the process's (above).
 */
export function clientOptions(c?: Pick<Connection, "concurrency">): NonNullable<ClientConfig["options"]> {
  return { timeoutMs: 10_000, retries: 1, concurrencyPerHost: c?.concurrency ?? registryConcurrency() };
}

/** A /v2 client for a connection: Basic user + password unless `credentials` says otherwise. */
export function clientFor(c: Pick<Connection, "endpoint" | "insecure" | "credentials" | "concurrency">, credentials?: ClientConfig["credentials"]): RegistryClient {
  const username = c.credentials?.username;
  const password = c.credentials?.password;
  return new RegistryClient({
    endpoint: c.endpoint,
    insecure: c.insecure,
    credentials: credentials ?? (username && password ? { username, password } : undefined),
    options: clientOptions(c),
  });
}

const PROBE_REPOSITORY = "regatta-probe/delete-check";

// DELETE of a digest nobody stored: registry 2.8 answers 405 UNSUPPORTED when deletes are
// disabled, and 404 (unknown name or manifest) when they are enabled. Nothing is removed.
async function probeDelete(client: RegistryClient, repository: string): Promise<boolean | null> {
  const digest = computeDigest(randomBytes(32));
  try {
    await client.deleteManifest(repository, digest);
    return true;
  } catch (e) {
    if (!(e instanceof RegistryError)) throw e;
    if (e.status === 405 || e.codes.includes("UNSUPPORTED")) return false;
    if (e.status === 404) return true;
    return null;
  }
}

/**
 * "Test connection" when GET /v2/ did not end in 200: unreachable, credentials refused (401/403,
 * with the kind's advice and what is missing), or another error, in the registry's own words.
 */
export function pingFailed(client: RegistryClient, ping: PingResult, words: { refused: string; error?: string; advice?: string; missing?: string[] }): ConnectionTest {
  const reachable = ping.status > 0;
  const refused = ping.status === 401 || ping.status === 403;
  const said = ping.message ?? ping.status;
  return {
    reachable,
    authenticated: false,
    catalog: false,
    delete: null,
    message: !reachable
      ? `cannot reach ${client.registry}: ${ping.message ?? "no answer"}`
      : refused
        ? `${words.refused}: ${said}${words.advice ? `. ${words.advice}` : ""}`
        : `${words.error ?? "the registry answered with an error"}: ${said}`,
    ...(words.missing ? { missing: refused ? words.missing : [] } : {}),
  };
}

/** Ping, catalog and delete probe through /v2 with `client` (the generic "test connection"). */
export async function testConnection(c: Pick<Connection, "credentials">, client: RegistryClient): Promise<ConnectionTest> {
  const ping = await client.ping();
  if (!ping.ok) return pingFailed(client, ping, { refused: "the registry refused the credentials" });
  let catalog = false;
  let firstRepository: string | undefined;
  let catalogMessage = "";
  try {
    const page = await client.catalog({ n: 1 });
    catalog = true;
    firstRepository = page.repositories[0];
  } catch (e) {
    if (!(e instanceof RegistryError)) throw e;
    catalogMessage = ` The catalog is not available (${e.codes[0] ?? e.status}: ${e.registryMessage ?? e.message}); repositories must be listed another way.`;
  }
  const del = writeProbesAllowed() ? await probeDelete(client, firstRepository ?? PROBE_REPOSITORY) : null;
  const who = c.credentials?.username ? `as ${c.credentials.username}` : "anonymously";
  return {
    reachable: true,
    authenticated: true,
    catalog,
    delete: del,
    message:
      `Connected to ${client.registry} ${who} (${ping.authScheme === "bearer" ? "token" : ping.authScheme === "basic" ? "basic" : "no"} auth).` +
      catalogMessage +
      (del === false ? " Deleting is disabled on this registry (storage.delete.enabled)." : del === null ? " Whether deletes are allowed could not be told." : ""),
  };
}

export const generic: ProviderDefinition = {
  kind: "GENERIC",
  open(c) {
    const client = clientFor(c);
    return { client, testConnection: () => testConnection(c, client) };
  },
};

import "server-only";
// Docker Hub: /v2 through the auth.docker.io token flow (Basic user:PAT on the token request),
// repositories, tag metadata and tag deletes through the Hub REST API (./hub-api.ts), and the pull
// budget from the ratelimit-* headers of a manifest HEAD (./registry.ts). See REGISTRIES.md §3.1.
import { fetchToken, MANIFEST_ACCEPT, parseChallenges, pickChallenge, RegistryError, repositoryScope } from "@/lib/registry";
import { checkRealm } from "@/lib/registry/auth";
import type { Connection, ConnectionTest, ProviderDefinition, RateLimitBudget, RegistryProvider, RepositoryListing, RepositoryVisibility, TagMetadata } from "../types";
import { clientOptions, pingFailed } from "../generic";
import { HUB_API_DEFAULT, HUB_DELETE_UNDOCUMENTED, HUB_PAGE_MAX, HubApi, jwtPayload, OFFICIAL, splitRepository } from "./hub-api";
import { BudgetTap, HubRegistryClient, RATE_LIMIT_PROBE } from "./registry";

const DELETE_EXPLANATION = `Docker Hub removes just this tag; other tags on the same digest stay, and the image can still be pulled by digest until Docker Hub cleans it up. Uncertain: ${HUB_DELETE_UNDOCUMENTED} If Hub refuses, its answer is shown and nothing changes`;

function plural(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** What a failed ping says, in Docker Hub's words. */
const PING_WORDS = {
  refused: "Docker Hub refused the user name or access token",
  error: "Docker Hub answered with an error",
  advice: "Check the user name and create a new personal access token if this one was revoked.",
  missing: ["a valid personal access token for this user"],
};

export function openDockerHub(c: Connection): RegistryProvider {
  const username = c.credentials?.username?.trim() || undefined;
  const password = c.credentials?.password || undefined;
  const credentials = username && password ? { username, password } : undefined;
  const namespace = c.namespace?.trim() || username || OFFICIAL;
  const tap = new BudgetTap();
  const client = new HubRegistryClient({
    endpoint: c.endpoint,
    insecure: c.insecure,
    credentials,
    options: clientOptions(c),
    fetch: async (input, init) => {
      const res = await globalThis.fetch(input, init);
      tap.observe((init?.method ?? "GET").toUpperCase(), new URL(input instanceof Request ? input.url : String(input)), res, Date.now());
      return res;
    },
  });
  const hub = new HubApi({ base: c.apiEndpoint || HUB_API_DEFAULT, identifier: username, secret: password, insecure: c.insecure });

  /** The actions a registry token would carry for `repository` (decoded from the JWT auth.docker.io hands out); null when it cannot be told. */
  async function grantedActions(repository: string): Promise<string[] | null> {
    const v2 = new URL("/v2/", client.endpoint);
    const what = `checking what this token may do on ${repository}`;
    const send = (url: URL, headers: Record<string, string>, ctx: string) => client.transport.request({ method: "GET", url, headers, what: ctx, scopes: [], auth: false });
    const res = await send(v2, {}, what);
    await res.body?.cancel();
    const challenge = pickChallenge(parseChallenges(res.headers.get("www-authenticate")));
    if (!challenge || challenge.scheme !== "bearer" || !challenge.params.realm) return null;
    const realm = checkRealm(challenge.params.realm, client.endpoint, c.insecure, what);
    const t = await fetchToken(send, { realm, service: challenge.params.service, scopes: [repositoryScope(repository, ["pull", "push", "delete"])], credentials }, what);
    const access = jwtPayload(t.token)?.access;
    if (!Array.isArray(access)) return null;
    const entry = access.find((a) => (a as { type?: string; name?: string }).type === "repository" && (a as { name?: string }).name === repository) as { actions?: unknown } | undefined;
    return Array.isArray(entry?.actions) ? (entry.actions as string[]) : [];
  }

  async function testConnection(): Promise<ConnectionTest> {
    const ping = await client.ping();
    if (!ping.ok) return pingFailed(client, ping, PING_WORDS);
    const who = username ? `as ${username}` : "anonymously";
    const findings: string[] = [`Connected to ${client.registry} ${who} (token auth).`];
    const missing: string[] = [];
    let catalog = false;
    let firstRepository: string | undefined;
    try {
      const page = await hub.repositories(namespace, 1, 1);
      catalog = true;
      firstRepository = page.results[0] ? `${namespace}/${page.results[0].name}` : undefined;
      findings.push(`Hub API: ${plural(page.count ?? page.results.length, "repository", "repositories")} in ${namespace}.`);
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      const said = e.registryMessage ?? e.codes[0] ?? `HTTP ${e.status}`;
      if (e.status === 401) {
        findings.push(`The Hub API refused the sign-in: ${said}.`);
        missing.push("a personal access token the Hub API accepts");
      } else if (e.status === 404) {
        findings.push(`The Hub API does not know the namespace "${namespace}": ${said}.`);
        missing.push(`an existing namespace (user or organisation) instead of "${namespace}"`);
      } else if (e.status === 429) {
        findings.push(`The Hub API is rate limiting this account${e.retryAfter ? `; retry in ${e.retryAfter} s` : ""}.`);
      } else {
        findings.push(`Repositories cannot be listed through the Hub API (${hub.base.host}): ${said}.`);
      }
    }
    let del: boolean | null = null;
    if (credentials) {
      try {
        const actions = await grantedActions(firstRepository ?? `${namespace}/regatta-probe`);
        if (actions) {
          const push = actions.includes("push") || actions.includes("*");
          del = actions.includes("delete") || actions.includes("*");
          if (!push) {
            findings.push("This token is read-only: it can pull but not push, so Regatta cannot promote or retag into this namespace.");
            missing.push("a token with Read & Write (or Read, Write, Delete) access");
          } else if (!del) {
            findings.push("This token can pull and push but not delete: create a personal access token with Read, Write, Delete to remove tags.");
            missing.push("Delete access (a Read, Write, Delete token) to remove tags");
          } else {
            // the registry token's actions say nothing of the Hub API call that deletes a tag
            del = null;
            findings.push(`The token can pull and push, and its registry token carries delete; whether Docker Hub lets it delete tags is not known until the first delete. ${HUB_DELETE_UNDOCUMENTED}`);
          }
        }
      } catch (e) {
        if (!(e instanceof RegistryError)) throw e;
      }
    }
    const budget = await rateLimit().catch(() => null);
    if (budget) findings.push(`Pulls left: ${budget.remaining} of ${budget.limit}${budget.windowSeconds ? ` per ${Math.round(budget.windowSeconds / 3600)} h` : ""}.`);
    return { reachable: true, authenticated: true, catalog, delete: del, message: findings.join(" "), missing };
  }

  async function rateLimit(): Promise<RateLimitBudget | null> {
    const url = new URL(`/v2/${RATE_LIMIT_PROBE.repository}/manifests/${RATE_LIMIT_PROBE.reference}`, client.endpoint);
    try {
      const res = await client.transport.request({
        method: "HEAD",
        url,
        what: "reading the Docker Hub pull budget",
        scopes: [repositoryScope(RATE_LIMIT_PROBE.repository, ["pull"])],
        headers: { accept: MANIFEST_ACCEPT.join(", ") },
        retries: 0,
      });
      await res.body?.cancel();
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
    }
    return tap.current(Date.now());
  }

  return {
    client,
    testConnection,
    async listRepositories({ cursor, pageSize, query }): Promise<RepositoryListing> {
      const page = Math.max(1, Number.parseInt(cursor ?? "1", 10) || 1);
      const size = Math.min(pageSize, HUB_PAGE_MAX);
      const answer = await hub.repositories(namespace, page, size, query);
      return {
        repositories: (answer.results ?? []).map((r) => ({ name: `${r.namespace || namespace}/${r.name}` })),
        ...(answer.next ? { nextCursor: String(page + 1) } : {}),
      };
    },
    async tagMetadata(repository): Promise<TagMetadata[]> {
      const [ns, repo] = splitRepository(repository);
      const tags = await hub.tags(ns, repo);
      return tags.map((t) => ({
        tag: t.name,
        ...(t.digest ? { digest: t.digest } : {}),
        ...((t.tag_last_pushed ?? t.last_updated) ? { pushedAt: (t.tag_last_pushed ?? t.last_updated)! } : {}),
        ...(t.last_updater_username ? { pushedBy: t.last_updater_username } : {}),
        ...(typeof t.full_size === "number" ? { size: t.full_size } : {}),
      }));
    },
    deleteMethod: { scope: "tag", explanation: DELETE_EXPLANATION },
    async deleteTag(repository, tag) {
      const [ns, repo] = splitRepository(repository);
      await hub.deleteTag(ns, repo, tag);
    },
    rateLimit,
    async visibility(repository): Promise<RepositoryVisibility> {
      const [ns, repo] = splitRepository(repository);
      const r = await hub.repository(ns, repo);
      // a push creates a missing repository with the account's "Default repository privacy", which
      // is public unless changed (docs.docker.com/docker-hub/repos/settings; docker/cli#4977), and the
      // Hub API does not report that setting: the plan assumes public
      if (!r) return { visibility: "public", exists: false, basis: "Docker Hub creates a pushed repository public unless the account's default privacy is private" };
      if (typeof r.is_private !== "boolean") return { visibility: "unknown", exists: true, basis: "Docker Hub did not say is_private" };
      return { visibility: r.is_private ? "private" : "public", exists: true, basis: `Docker Hub: is_private ${r.is_private}` };
    },
  };
}

export const dockerhub: ProviderDefinition = {
  kind: "DOCKERHUB",
  defaultApiEndpoint: () => HUB_API_DEFAULT,
  open: openDockerHub,
};

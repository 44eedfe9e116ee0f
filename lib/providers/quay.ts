import "server-only";
// Quay (quay.io or self-hosted). /v2 through Quay's token flow with a robot account
// (`org+name` : robot token). The REST API (/api/v1) takes only an OAuth application token as
// Bearer, so it is a separate, optional credential: with it Regatta lists the namespace's
// repositories, shows pushed-at and size from Quay and deletes one tag; without it the /v2
// catalog lists repositories and a delete removes the manifest with every tag on it.
import { randomBytes } from "node:crypto";
import { errorFromResponse, pages, PUSH_PULL, RegistryError, repositoryScope, validateDigest, validateRepository, validateTag } from "@/lib/registry";
import { clientFor, pingFailed } from "./generic";
import type { Connection, ConnectionTest, ProviderDefinition, RegistryProvider, RepositoryListing, RepositoryVisibility, TagMetadata } from "./types";
import { probePush } from "./push-probe";
import { apiUrl, vendorRequest, type VendorApi } from "./vendor-rest";

interface QuayRepository { namespace: string; name: string }
interface QuayTag { name: string; manifest_digest?: string; size?: number | null; start_ts?: number; last_modified?: string }

// Quay: at most 100 tags per page of /api/v1/.../tag/ (`limit`), 100 repositories per page
const PAGE = 100;
const MAX_PAGES = 200;

/** Quay's API errors: {"detail", "error_message", "error_type", "title", "status"}. */
export function parseQuayError(text: string): { code?: string; message?: string } {
  try {
    const b = JSON.parse(text) as Record<string, unknown>;
    const message = [b.error_message, b.detail, b.message, b.error_description].find((v): v is string => typeof v === "string" && v !== "");
    const type = [b.error_type, b.title].find((v): v is string => typeof v === "string" && v !== "");
    return { code: type?.toUpperCase(), message };
  } catch {
    return { message: text.trim().slice(0, 300) || undefined };
  }
}

/** `ns/repo` (repo may hold more slashes with extended names) → `/api/v1/repository/ns/repo` */
export function quayRepositoryPath(repository: string): string {
  return "/api/v1/repository/" + repository.split("/").map(encodeURIComponent).join("/");
}

/** the org of a robot `org+name`, else the user name */
const ownerOf = (username: string | undefined) => username?.split("+")[0] || undefined;

export function openQuay(c: Connection): RegistryProvider {
  const client = clientFor(c);
  const token = c.credentials?.apiToken?.trim() || undefined;
  const namespace = c.namespace?.trim() || ownerOf(c.credentials?.username);
  const api: VendorApi = {
    base: c.apiEndpoint || c.endpoint,
    name: "Quay API",
    insecure: c.insecure,
    authorization: () => (token ? `Bearer ${token}` : undefined),
    parseError: parseQuayError,
  };
  const get = <T>(path: string, query: Record<string, string | number | boolean | undefined>, what: string) =>
    vendorRequest<T>(api, "GET", apiUrl(api.base, path, query), what).then((r) => r.body);

  async function listRepositories({ cursor, pageSize, query }: { cursor?: string; pageSize: number; query?: string }): Promise<RepositoryListing> {
    if (!namespace) throw new RegistryError({ context: "listing repositories", codes: ["NAME_INVALID"], method: "GET", url: api.base, reason: "set the organisation or user of this Quay registry to list its repositories" });
    const q = query?.toLowerCase();
    const names: string[] = [];
    let next = cursor;
    const what = `listing repositories of ${namespace} on Quay`;
    // the first page has no next_page token: "" stands for it
    const fetch = async (token: string) => {
      const page = await get<{ repositories?: QuayRepository[]; next_page?: string }>("/api/v1/repository", { namespace, next_page: token || undefined }, what);
      next = page.next_page || undefined;
      return { items: page.repositories ?? [], next };
    };
    // the API has no name filter: keep reading pages until one page of matches is full
    let read = 0;
    for await (const repositories of pages({ what, first: cursor ?? "", fetch })) {
      for (const r of repositories) {
        const name = `${r.namespace}/${r.name}`;
        if (!q || name.toLowerCase().includes(q)) names.push(name);
      }
      if (!next || names.length >= pageSize || ++read >= MAX_PAGES) break;
    }
    return { repositories: names.map((name) => ({ name })), nextCursor: next };
  }

  /**
   * `is_public` of GET /api/v1/repository/{namespace}/{repository} (quay/quay endpoints/api/repository.py).
   * A push creates a missing repository private: "If you push an image through the command-line
   * interface (CLI) without first creating a repository on the UI, the created repository is set to
   * Private, regardless of the plan you have" (Red Hat, About Quay.io, ch. 6 "Red Hat Quay repository overview").
   */
  async function visibility(repository: string): Promise<RepositoryVisibility> {
    validateRepository(repository);
    try {
      const r = await get<{ is_public?: unknown }>(quayRepositoryPath(repository), {}, `reading ${repository} on Quay`);
      if (typeof r.is_public !== "boolean") return { visibility: "unknown", exists: true, basis: "Quay did not say is_public" };
      return { visibility: r.is_public ? "public" : "private", exists: true, basis: `Quay: is_public ${r.is_public}` };
    } catch (e) {
      if (!(e instanceof RegistryError && e.status === 404)) throw e;
      return { visibility: "private", exists: false, basis: "Quay creates a pushed repository private" };
    }
  }

  async function tagMetadata(repository: string): Promise<TagMetadata[]> {
    validateRepository(repository);
    const out: TagMetadata[] = [];
    const what = `listing tags of ${repository} on Quay`;
    const fetch = async (page: number) => {
      const body = await get<{ tags?: QuayTag[]; has_additional?: boolean }>(`${quayRepositoryPath(repository)}/tag/`, { onlyActiveTags: true, limit: PAGE, page }, what);
      return { items: body.tags ?? [], next: body.has_additional ? page + 1 : undefined };
    };
    for await (const tags of pages({ what, first: 1, budget: { pages: MAX_PAGES }, fetch })) {
      for (const t of tags) {
        const pushed = t.start_ts ? new Date(t.start_ts * 1000) : t.last_modified ? new Date(t.last_modified) : undefined;
        out.push({
          tag: t.name,
          digest: t.manifest_digest || undefined,
          pushedAt: pushed && !Number.isNaN(pushed.getTime()) ? pushed.toISOString() : undefined,
          size: typeof t.size === "number" ? t.size : undefined,
        });
      }
    }
    return out;
  }

  async function deleteTagRest(repository: string, tag: string): Promise<void> {
    validateRepository(repository);
    validateTag(tag);
    const url = apiUrl(api.base, `${quayRepositoryPath(repository)}/tag/${encodeURIComponent(tag)}`);
    await vendorRequest(api, "DELETE", url, `deleting tag ${repository}:${tag} on Quay`);
  }

  // Quay refuses a `delete` token scope (400) and authorizes manifest DELETE with `push`
  async function deleteByDigest(repository: string, _tag: string, digest: string): Promise<void> {
    validateRepository(repository);
    validateDigest(digest);
    const url = new URL(`/v2/${repository}/manifests/${digest}`, client.endpoint);
    const what = `deleting manifest ${client.registry}/${repository}@${digest}`;
    const res = await client.transport.request({ method: "DELETE", url, what, scopes: [repositoryScope(repository, [...PUSH_PULL])] });
    if (res.status === 202 || res.status === 200 || res.status === 204) {
      await res.body?.cancel();
      return;
    }
    throw await errorFromResponse(res, { what, method: "DELETE", url, notFound: "MANIFEST_UNKNOWN" });
  }

  const provider: RegistryProvider = {
    client,
    testConnection: () => testQuay(c, provider, { api, token, namespace }),
    ...(token
      ? {
          listRepositories,
          tagMetadata,
          visibility,
          deleteMethod: { scope: "tag" as const, explanation: "Quay removes just this tag (REST API); other tags on the same manifest stay, and Quay keeps the tag restorable until the namespace's time-machine window ends" },
          deleteTag: (repository: string, tag: string) => deleteTagRest(repository, tag),
        }
      : {
          deleteMethod: { scope: "digest" as const, explanation: "Without a Quay OAuth token Regatta deletes through /v2 by digest" },
          deleteTag: deleteByDigest,
        }),
  };
  return provider;
}

/** What a failed ping says, in Quay's words. */
const PING_WORDS = {
  refused: "Quay refused the robot account",
  error: "Quay answered with an error",
  advice: "Check the robot name (org+name) and its token.",
  missing: ["a valid robot account and token"],
};

async function testQuay(c: Connection, provider: RegistryProvider, ctx: { api: VendorApi; token?: string; namespace?: string }): Promise<ConnectionTest> {
  const { client } = provider;
  const ping = await client.ping();
  if (!ping.ok) return pingFailed(client, ping, PING_WORDS);
  const who = c.credentials?.username ? `as ${c.credentials.username}` : "anonymously";
  const findings = [`Connected to ${client.registry} ${who} (${ping.authScheme === "bearer" ? "Quay token" : ping.authScheme} auth).`];
  const missing: string[] = [];
  if (!ctx.token) {
    let catalog = false;
    let firstRepo: string | undefined;
    try {
      firstRepo = (await client.catalog({ n: 1 })).repositories[0];
      catalog = true;
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      findings.push(`The /v2 catalog is not available (${e.codes[0] ?? e.status}).`);
    }
    if (firstRepo) await checkPush(client, c, firstRepo, findings, missing);
    missing.push("OAuth application token (REST API)");
    findings.push("No OAuth application token: repositories come from the /v2 catalog, pushed-at times and sizes from Quay do not show, and a delete removes the manifest with every tag on it. Create an OAuth application in the organisation (Applications → Generate token) with “View all visible repositories” and “Read/Write to any accessible repositories”.");
    return { reachable: true, authenticated: true, catalog, delete: null, message: findings.join(" "), missing };
  }
  if (!ctx.namespace) {
    missing.push("organisation or user");
    return { reachable: true, authenticated: true, catalog: false, delete: null, message: `${findings[0]} Set the organisation or user whose repositories to list.`, missing };
  }
  let catalog = false;
  let first: string | undefined;
  try {
    const page = await vendorRequest<{ repositories?: QuayRepository[] }>(ctx.api, "GET", apiUrl(ctx.api.base, "/api/v1/repository", { namespace: ctx.namespace }), `listing repositories of ${ctx.namespace} on Quay`);
    catalog = true;
    const r = page.body.repositories?.[0];
    first = r ? `${r.namespace}/${r.name}` : undefined;
  } catch (e) {
    if (!(e instanceof RegistryError)) throw e;
    if (e.status === 401) missing.push("a valid OAuth application token");
    else if (e.status === 403) missing.push("“View all visible repositories” on the OAuth token");
    findings.push(`The Quay API refused to list ${ctx.namespace} (${e.status}${e.registryMessage ? `: ${e.registryMessage}` : ""}).`);
  }
  if (first) await checkPush(client, c, first, findings, missing);
  let del: boolean | null = null;
  if (first) {
    // DELETE of a tag nobody made: Quay checks write permission first (403), then the tag (404)
    const probe = `regatta-probe-${randomBytes(6).toString("hex")}`;
    try {
      await vendorRequest(ctx.api, "DELETE", apiUrl(ctx.api.base, `${quayRepositoryPath(first)}/tag/${probe}`), "probing tag delete on Quay", { ok: [404] });
      del = true;
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      if (e.status === 403) {
        del = false;
        missing.push("“Read/Write to any accessible repositories” on the OAuth token (write on the repositories)");
        findings.push(`The OAuth token may not delete tags in ${first}.`);
      } else if (e.status === 204 || e.status === 200) del = true;
    }
  } else if (catalog) findings.push(`${ctx.namespace} has no repositories yet; whether tags can be deleted could not be told.`);
  if (catalog && del) findings.push(`The Quay API lists ${ctx.namespace} and may delete tags.`);
  return { reachable: true, authenticated: true, catalog, delete: del, message: findings.join(" "), missing };
}

// Quay downscopes a robot's token to what it may do; promotions need Write
async function checkPush(client: RegistryProvider["client"], c: Connection, repository: string, findings: string[], missing: string[]) {
  if (await probePush(client, repository) === false) {
    missing.push(`Write permission for the robot on ${repository}`);
    findings.push(`The robot ${c.credentials?.username ?? ""} may not push to ${repository}: give it Write on the repositories to promote into (Read is enough to browse).`);
  }
}

export const quay: ProviderDefinition = {
  kind: "QUAY",
  // quay.io serves /api/v1 on the registry host; self-hosted installs too unless told otherwise
  defaultApiEndpoint: (c) => c.endpoint,
  open: openQuay,
};

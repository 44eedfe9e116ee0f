import "server-only";
// Harbor 2.x (self-hosted). /v2 through Harbor's token service (/service/token) with a robot
// account (`robot$project+name`) or a user; the REST API (/api/v2.0) with Basic auth (no CSRF
// token is needed with Basic). `_catalog` needs a system admin, so repositories come from the
// project's repository list; tags, push times and sizes from its artifacts; a delete untags.
import { randomBytes } from "node:crypto";
import { computeDigest, nextLink, pages, RegistryError, validateDigest, validateRepository, validateTag } from "@/lib/registry";
import { clientFor, pingFailed } from "./generic";
import type { Connection, ConnectionTest, ProviderDefinition, RegistryProvider, RepositoryListing, RepositoryVisibility, TagMetadata } from "./types";
import { probePush } from "./push-probe";
import { apiUrl, vendorRequest, type VendorApi } from "./vendor-rest";
import { writeProbesAllowed } from "./probe-policy";

interface HarborRepository { name: string; artifact_count?: number }
interface HarborTag { name: string; push_time?: string }
interface HarborArtifact { digest: string; size?: number; push_time?: string; tags?: HarborTag[] | null }

// Harbor caps page_size at 100
const PAGE = 100;
const MAX_PAGES = 200;

/** `project/a/b` → project `project`, repository path segment `a%252Fb` (Harbor wants it URL-encoded twice). */
export function harborRepositoryPath(repository: string): string {
  const slash = repository.indexOf("/");
  if (slash <= 0) throw new RegistryError({ context: `reading ${repository} on Harbor`, codes: ["NAME_INVALID"], method: "GET", url: "/", reason: `Harbor repositories are named project/repository; ${repository} has no project` });
  const project = repository.slice(0, slash);
  const rest = repository.slice(slash + 1);
  return `/projects/${encodeURIComponent(project)}/repositories/${encodeURIComponent(encodeURIComponent(rest))}`;
}

/**
 * Harbor's `q` for a fuzzy name filter, or null when nothing can match. Harbor URL-decodes `q` a
 * second time and then splits it at "," into k=v pairs (goharbor/harbor src/lib/q/builder.go
 * parseKeywords): the value is percent-encoded so "%" and "+" survive that, and since a comma can
 * never reach Harbor inside a value, a query with a character no repository name holds (distribution's
 * name grammar: a-z 0-9 . _ - /) is answered empty without asking.
 */
export function harborNameQuery(query: string): string | null {
  if (!/^[A-Za-z0-9._/-]+$/.test(query)) return null;
  return `name=~${encodeURIComponent(query)}`;
}

/** the project of a robot `robot$project+name` */
const projectOfRobot = (username: string | undefined) => /^robot\$([^+]+)\+/.exec(username ?? "")?.[1];

export function openHarbor(c: Connection): RegistryProvider {
  const client = clientFor(c);
  const username = c.credentials?.username;
  const password = c.credentials?.password;
  const project = c.namespace?.trim() || projectOfRobot(username);
  const api: VendorApi = {
    base: c.apiEndpoint || `${c.endpoint.replace(/\/+$/, "")}/api/v2.0`,
    name: "Harbor API",
    insecure: c.insecure,
    authorization: () => (username && password ? `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` : undefined),
  };

  async function listRepositories({ cursor, query }: { cursor?: string; pageSize: number; query?: string }): Promise<RepositoryListing> {
    if (!project) throw new RegistryError({ context: "listing repositories", codes: ["NAME_INVALID"], method: "GET", url: api.base, reason: "set the Harbor project of this registry to list its repositories" });
    const page = cursor && /^\d+$/.test(cursor) ? Number(cursor) : 1;
    const q = query ? harborNameQuery(query) : undefined;
    if (q === null) return { repositories: [] };
    const url = apiUrl(api.base, `/projects/${encodeURIComponent(project)}/repositories`, { page, page_size: PAGE, q });
    const res = await vendorRequest<HarborRepository[]>(api, "GET", url, `listing repositories of project ${project} on Harbor`);
    const list = res.body ?? [];
    const total = Number(res.headers.get("x-total-count"));
    const more = !!nextLink(res.headers.get("link"), url) || (Number.isFinite(total) && page * PAGE < total);
    return { repositories: list.map((r) => ({ name: r.name })), nextCursor: more && list.length ? String(page + 1) : undefined };
  }

  async function tagMetadata(repository: string): Promise<TagMetadata[]> {
    validateRepository(repository);
    const out: TagMetadata[] = [];
    const what = `listing artifacts of ${repository} on Harbor`;
    const fetch = async (page: number) => {
      const url = apiUrl(api.base, `${harborRepositoryPath(repository)}/artifacts`, { with_tag: true, page, page_size: PAGE });
      const res = await vendorRequest<HarborArtifact[]>(api, "GET", url, what);
      const list = res.body ?? [];
      const total = Number(res.headers.get("x-total-count"));
      const more = !!nextLink(res.headers.get("link"), url) || (Number.isFinite(total) && page * PAGE < total);
      return { items: list, next: more && list.length > 0 ? page + 1 : undefined, bytes: res.bytes };
    };
    for await (const list of pages({ what, first: 1, budget: { pages: MAX_PAGES }, fetch })) {
      for (const a of list) {
        for (const t of a.tags ?? []) out.push({ tag: t.name, digest: a.digest, pushedAt: iso(t.push_time ?? a.push_time), size: a.size });
      }
    }
    return out;
  }

  // By digest as the artifact reference: Harbor itself checks the tag is still on that artifact (404 if not)
  async function deleteTag(repository: string, tag: string, digest: string): Promise<void> {
    validateRepository(repository);
    validateTag(tag);
    validateDigest(digest);
    const url = apiUrl(api.base, `${harborRepositoryPath(repository)}/artifacts/${digest}/tags/${encodeURIComponent(tag)}`);
    await vendorRequest(api, "DELETE", url, `deleting tag ${repository}:${tag} on Harbor`);
  }

  /**
   * A Harbor repository is as visible as its project: `metadata.public` ("true"/"false", a string)
   * of GET /projects/{project_name_or_id} (goharbor/harbor api/v2.0/swagger.yaml, ProjectMetadata:
   * "The public status of the project. The valid values are \"true\", \"false\""). A new
   * repository inside the project gets the same.
   */
  async function visibility(repository: string): Promise<RepositoryVisibility> {
    harborRepositoryPath(repository);
    const name = repository.slice(0, repository.indexOf("/"));
    const res = await vendorRequest<{ metadata?: { public?: unknown } }>(api, "GET", apiUrl(api.base, `/projects/${encodeURIComponent(name)}`), `reading Harbor project ${name}`);
    const v = res.body?.metadata?.public;
    const pub = v === true || v === "true" ? true : v === false || v === "false" ? false : undefined;
    if (pub === undefined) return { visibility: "unknown", basis: `Harbor did not say whether project ${name} is public` };
    return { visibility: pub ? "public" : "private", basis: `Harbor project ${name}: public ${pub}` };
  }

  const provider: RegistryProvider = {
    client,
    testConnection: () => testHarbor(c, provider, { api, project }),
    ...(project ? { listRepositories } : {}),
    tagMetadata,
    deleteMethod: { scope: "tag", explanation: "Harbor removes just this tag from the artifact (REST API); the artifact and its other tags stay until Harbor's garbage collection or retention removes untagged artifacts" },
    deleteTag,
    visibility,
  };
  return provider;
}

const iso = (s: string | undefined) => {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
};

/** What a failed ping says, in Harbor's words. */
const PING_WORDS = {
  refused: "Harbor refused the credentials",
  error: "Harbor answered with an error",
  advice: "A robot's name is robot$project+name, with the secret shown when it was created.",
  missing: ["a valid robot account or user"],
};

async function testHarbor(c: Connection, provider: RegistryProvider, ctx: { api: VendorApi; project?: string }): Promise<ConnectionTest> {
  const { client } = provider;
  const { api, project } = ctx;
  const ping = await client.ping();
  if (!ping.ok) return pingFailed(client, ping, PING_WORDS);
  const who = c.credentials?.username ? `as ${c.credentials.username}` : "anonymously";
  const findings = [`Connected to ${client.registry} ${who} (${ping.authScheme === "bearer" ? "Harbor token service" : ping.authScheme} auth).`];
  const missing: string[] = [];
  if (!project) {
    return { reachable: true, authenticated: true, catalog: false, delete: null, message: `${findings[0]} Set the Harbor project: without it repositories cannot be listed (the /v2 catalog needs a system admin).`, missing: ["project"] };
  }
  let catalog = false;
  let first: string | undefined;
  try {
    const url = apiUrl(api.base, `/projects/${encodeURIComponent(project)}/repositories`, { page: 1, page_size: 1 });
    const res = await vendorRequest<HarborRepository[]>(api, "GET", url, `listing repositories of project ${project} on Harbor`);
    catalog = true;
    first = res.body?.[0]?.name;
  } catch (e) {
    if (!(e instanceof RegistryError)) throw e;
    const said = e.registryMessage ? `: ${e.registryMessage}` : "";
    if (e.status === 401) missing.push("Harbor API access for these credentials");
    else if (e.status === 403) missing.push(`the “List repository” permission on project ${project}`);
    else if (e.status === 404) missing.push(`project ${project} (it does not exist, or these credentials cannot see it)`);
    findings.push(`The Harbor API at ${api.base} did not list project ${project} (${e.status ?? e.codes[0]}${said}).`);
  }
  if (first && (await probePush(client, first)) === false) {
    missing.push(`the push permission on project ${project} (robot: Repository → Push)`);
    findings.push(`These credentials may not push to ${first}; promotions into ${project} will be refused.`);
  }
  let del: boolean | null = null;
  if (catalog && writeProbesAllowed()) {
    // untag an artifact nobody pushed: Harbor checks the delete-tag permission first (403), then the artifact (404)
    const repository = first ?? `${project}/regatta-probe`;
    const url = apiUrl(api.base, `${harborRepositoryPath(repository)}/artifacts/${computeDigest(randomBytes(32))}/tags/regatta-probe`);
    try {
      await vendorRequest(api, "DELETE", url, "probing tag delete on Harbor", { ok: [404] });
      del = true;
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      if (e.status === 403) {
        del = false;
        missing.push(`the delete permission on project ${project} (robot: Tag → Delete)`);
        findings.push(`These credentials may not delete tags in ${project}.`);
      }
    }
    if (del) findings.push(`The Harbor API lists project ${project} and may delete tags.`);
  }
  return { reachable: true, authenticated: true, catalog, delete: del, message: findings.join(" "), missing };
}

export const harbor: ProviderDefinition = {
  kind: "HARBOR",
  defaultApiEndpoint: (c) => `${c.endpoint.replace(/\/+$/, "")}/api/v2.0`,
  open: openHarbor,
};

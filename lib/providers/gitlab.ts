import "server-only";
// GitLab Container Registry (gitlab.com or self-managed): /v2 through GitLab's `/jwt/auth` token
// flow with a deploy token or an access token; repositories of a project or group, tag details
// (created_at, total_size) and single-tag deletes through the REST API (docs.gitlab.com/api/
// container_registry). A deploy token cannot call the REST API: then listing, details and
// deletes fall back to what /v2 allows, and test connection says what is lost.
import { mapLimit, nextLink, pages, RegistryError } from "@/lib/registry";
import { clientFor, pingFailed } from "./generic";
import type { Connection, ConnectionTest, DeleteMethod, ProviderDefinition, RateLimitBudget, RegistryProvider, RepositoryListing, RepositoryVisibility, TagMetadata } from "./types";
import { apiUrl, vendorRequest, type VendorApi, type VendorResponse } from "./vendor-rest";
import { budgetFromHeaders, GITLAB_RATE_LIMIT } from "./rate-limit";
import { defaultUrl } from "@/lib/schemas/registry";

export const GITLAB_URL = defaultUrl("GITLAB", "defaultApiEndpoint");
const MAX_PAGES = 100;
/** tag details are one call per tag (GitLab has no bulk form): at most this many per repository */
export const MAX_TAG_DETAILS = 1000;
const DETAIL_CONCURRENCY = 8;

interface Repository { id: number; path: string; project_id: number; tags_count?: number; status?: string | null }
interface TagDetails { name: string; digest?: string; created_at?: string; total_size?: number }
type Namespace = { kind: "projects" | "groups"; id: number; path: string };

/** GitLab's error bodies: { message } (a string or a field → messages map) or { error, error_description }. */
export function parseGitLabError(text: string): { message?: string } {
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown; error_description?: unknown; scope?: unknown };
    if (typeof body.message === "string") return { message: body.message };
    if (body.message && typeof body.message === "object") return { message: JSON.stringify(body.message) };
    if (typeof body.error === "string") {
      const scope = typeof body.scope === "string" ? ` (needs scope: ${body.scope.split(" ").join(" or ")})` : "";
      return { message: `${body.error}${typeof body.error_description === "string" ? `: ${body.error_description}` : ""}${scope}` };
    }
  } catch { /* not JSON */ }
  return { message: text.trim().slice(0, 200) || undefined };
}

const TAG_DELETE: DeleteMethod = {
  scope: "tag",
  explanation: "GitLab deletes just this tag through its API; other tags on the same digest stay (a tag matching a protected-tag rule is refused)",
};
const DIGEST_DELETE: DeleteMethod = {
  scope: "digest",
  explanation: "GitLab's REST API is not available to this connection (a deploy token, or no GitLab URL set), so the delete goes by digest through /v2",
};

export class GitLabProvider implements RegistryProvider {
  readonly client;
  private readonly api: VendorApi;
  private readonly namespace: string;
  private resolved?: Promise<Namespace>;
  private readonly repoIds = new Map<string, Repository>();
  /** set once GitLab's REST API answered 401 to this token (a deploy token) */
  private restRefused = false;
  /** no GitLab URL: a self-managed registry whose GitLab was not given (never guess where to send the token) */
  private readonly noApi: boolean;
  private budget: RateLimitBudget | null = null;
  private expiry: string | null | undefined;

  constructor(private readonly c: Connection) {
    this.client = clientFor(c);
    const token = c.credentials?.password;
    this.namespace = (c.namespace ?? "").trim().replace(/^\/+|\/+$/g, "");
    this.noApi = !c.apiEndpoint;
    this.api = {
      base: `${(c.apiEndpoint ?? GITLAB_URL).replace(/\/+$/, "")}/api/v4`,
      name: "GitLab API",
      insecure: c.insecure,
      // Bearer rather than PRIVATE-TOKEN: the Authorization header never follows a redirect to another host
      authorization: () => (token ? `Bearer ${token}` : undefined),
      parseError: parseGitLabError,
      observe: (h) => this.observe(h),
      onError: (e) => {
        if (e.status === 401) this.restRefused = true;
        return e;
      },
    };
  }

  get deleteMethod(): DeleteMethod {
    return this.noRest ? DIGEST_DELETE : TAG_DELETE;
  }

  /** the REST API cannot be used: no GitLab URL, or GitLab refused the token (a deploy token) */
  private get noRest(): boolean {
    return this.noApi || this.restRefused;
  }

  private call<T>(method: string, url: URL, what: string): Promise<VendorResponse<T>> {
    return vendorRequest<T>(this.api, method, url, what);
  }

  private observe(h: Headers) {
    this.budget = budgetFromHeaders(h, GITLAB_RATE_LIMIT) ?? this.budget;
  }

  /** The project or group the registry is connected to: projects first, then groups (ids are URL-encoded paths). */
  private ns(): Promise<Namespace> {
    this.resolved ??= (async (): Promise<Namespace> => {
      if (!this.namespace) throw new RegistryError({ context: "listing GitLab repositories", codes: ["NAME_INVALID"], method: "GET", url: this.api.base, reason: "no project or group path is set on this registry" });
      const id = encodeURIComponent(this.namespace);
      for (const kind of ["projects", "groups"] as const) {
        try {
          const res = await this.call<{ id: number }>("GET", apiUrl(this.api.base, `/${kind}/${id}`), `looking up GitLab ${kind === "projects" ? "project" : "group"} ${this.namespace}`);
          return { kind, id: res.body.id, path: this.namespace };
        } catch (e) {
          if (!(e instanceof RegistryError && e.status === 404)) throw e;
        }
      }
      throw new RegistryError({ context: "listing GitLab repositories", codes: ["NAME_UNKNOWN"], status: 404, method: "GET", url: this.api.base, reason: `GitLab knows no project or group ${this.namespace} (or this token cannot see it)` });
    })().catch((e) => {
      this.resolved = undefined;
      throw e;
    });
    return this.resolved;
  }

  private async repositoryPage(ns: Namespace, page: number, perPage: number) {
    const url = apiUrl(this.api.base, `/${ns.kind}/${ns.id}/registry/repositories`, { page, per_page: perPage, ...(ns.kind === "projects" ? { tags_count: true } : {}) });
    const res = await this.call<Repository[]>("GET", url, `listing the container repositories of ${ns.path}`);
    for (const r of res.body ?? []) this.repoIds.set(r.path, r);
    const next = Number(res.headers.get("x-next-page") || nextLink(res.headers.get("link"), url)?.searchParams.get("page") || 0);
    return { repositories: res.body ?? [], next: next > page ? next : undefined, bytes: res.bytes };
  }

  async listRepositories(opts: { cursor?: string; pageSize: number; query?: string }): Promise<RepositoryListing> {
    if (this.noRest || !this.namespace) return this.listThroughV2(opts.query);
    let ns: Namespace;
    try {
      ns = await this.ns();
    } catch (e) {
      if (this.restRefused) return this.listThroughV2(opts.query);
      throw e;
    }
    const q = opts.query?.toLowerCase();
    let page: number | undefined = Math.max(Number(opts.cursor) || 1, 1);
    const out: RepositoryListing["repositories"] = [];
    const what = `listing the container repositories of ${ns.path}`;
    const fetch = async (at: number) => {
      const r = await this.repositoryPage(ns, at, Math.min(opts.pageSize, 100));
      page = r.next;
      return { items: r.repositories, next: r.next, bytes: r.bytes };
    };
    let read = 0;
    for await (const items of pages({ what, first: page, fetch })) {
      for (const repo of items) {
        if (repo.status === "delete_scheduled" || repo.status === "delete_ongoing") continue;
        if (!q || repo.path.toLowerCase().includes(q)) out.push({ name: repo.path, ...(repo.tags_count !== undefined ? { tagCount: repo.tags_count } : {}) });
      }
      if (!q || out.length >= opts.pageSize || ++read >= MAX_PAGES) break;
    }
    return { repositories: out, nextCursor: page ? String(page) : undefined };
  }

  /** Without the REST API: the catalog (GitLab admins only), else the project path itself when it holds an image. */
  private async listThroughV2(query?: string): Promise<RepositoryListing> {
    const q = query?.toLowerCase();
    const keep = (name: string) => (!this.namespace || name === this.namespace || name.startsWith(`${this.namespace}/`)) && (!q || name.toLowerCase().includes(q));
    try {
      const page = await this.client.catalog({ n: 1000 });
      return { repositories: page.repositories.filter(keep).map((name) => ({ name })) };
    } catch (e) {
      if (!(e instanceof RegistryError) || !this.namespace) throw e;
    }
    try {
      await this.client.listTags(this.namespace);
      return { repositories: keep(this.namespace) ? [{ name: this.namespace }] : [] };
    } catch (e) {
      if (e instanceof RegistryError && (e.status === 404 || e.status === 401 || e.status === 403)) return { repositories: [] };
      throw e;
    }
  }

  /**
   * A container repository is as visible as its project's container registry (docs.gitlab.com/api/container_registry,
   * "Change the visibility of the container registry"): container_registry_access_level `enabled`
   * follows the project's `visibility` (public, internal or private; GET /projects/:id,
   * docs.gitlab.com/api/projects), `private` is project members only. A new image path inside the
   * project gets the same. The project is the longest path prefix GitLab knows (image names add up
   * to three levels below it).
   */
  async visibility(repository: string): Promise<RepositoryVisibility> {
    if (this.noRest) return { visibility: "unknown", basis: "GitLab's REST API is not available to this connection" };
    const parts = repository.split("/");
    for (let n = parts.length; n >= Math.max(1, parts.length - 3); n--) {
      const path = parts.slice(0, n).join("/");
      let p: { visibility?: string; container_registry_access_level?: string; container_registry_enabled?: boolean };
      try {
        p = (await this.call<typeof p>("GET", apiUrl(this.api.base, `/projects/${encodeURIComponent(path)}`), `reading the visibility of GitLab project ${path}`)).body ?? {};
      } catch (e) {
        if (e instanceof RegistryError && e.status === 404) continue;
        throw e;
      }
      const level = p.container_registry_access_level ?? (p.container_registry_enabled === false ? "disabled" : "enabled");
      if (level === "private" || level === "disabled") return { visibility: "private", basis: `GitLab project ${path}: container registry ${level}` };
      if (p.visibility === "public") return { visibility: "public", basis: `GitLab project ${path}: visibility public, container registry enabled` };
      if (p.visibility === "private" || p.visibility === "internal") return { visibility: "private", basis: `GitLab project ${path}: visibility ${p.visibility}` };
      return { visibility: "unknown", basis: `GitLab did not say the visibility of project ${path}` };
    }
    return { visibility: "unknown", basis: `GitLab knows no project holding ${repository}` };
  }

  /** The REST id of a repository path, from the namespace's listing (cached). */
  private async repository(path: string): Promise<Repository> {
    const hit = this.repoIds.get(path);
    if (hit) return hit;
    const ns = await this.ns();
    const fetch = async (at: number) => {
      const r = await this.repositoryPage(ns, at, 100);
      return { items: r.repositories, next: r.next, bytes: r.bytes };
    };
    for await (const items of pages({ what: `finding ${path} under ${ns.path}`, first: 1, budget: { pages: MAX_PAGES }, fetch })) {
      const found = items.find((x) => x.path === path);
      if (found) return found;
    }
    throw new RegistryError({ context: `reading ${path}`, codes: ["NAME_UNKNOWN"], status: 404, method: "GET", url: this.api.base, reason: `GitLab lists no container repository ${path} under ${ns.path}` });
  }

  private tagUrl(repo: Repository, tag?: string) {
    return apiUrl(this.api.base, `/projects/${repo.project_id}/registry/repositories/${repo.id}/tags${tag === undefined ? "" : `/${encodeURIComponent(tag)}`}`);
  }

  /** GitLab answers tag details one tag per call: only the tags asked for are read. */
  readonly tagMetadataPerTag = true;

  async tagMetadata(repository: string, onlyTags?: string[]): Promise<TagMetadata[]> {
    if (this.noRest) return [];
    const repo = await this.repository(repository);
    const names = onlyTags ? [...new Set(onlyTags)] : await this.tagNames(repo, repository);
    const details = await mapLimit(names.slice(0, MAX_TAG_DETAILS), DETAIL_CONCURRENCY, async (tag) => {
      try {
        return (await this.call<TagDetails>("GET", this.tagUrl(repo, tag), `reading tag ${repository}:${tag}`)).body;
      } catch (e) {
        if (e instanceof RegistryError && e.status === 404) return null; // deleted meanwhile
        throw e;
      }
    });
    // created_at is the image's build time from its config (GitLab docs: "the time of the manifest
    // creation, not the time of tag push"): reported as createdAt, never as a push
    return details.flatMap((d) =>
      d ? [{ tag: d.name, ...(d.digest ? { digest: d.digest } : {}), ...(d.created_at ? { createdAt: d.created_at } : {}), ...(typeof d.total_size === "number" ? { size: d.total_size } : {}) }] : [],
    );
  }

  /**
   * Tag names, keyset-paginated (doc/api/container_registry.md: "Offset pagination is deprecated and
   * keyset pagination is now the preferred pagination method", gitlab.com since 16.10); a GitLab that
   * refuses keyset (400/405) is asked again with offset pages. Both follow Link rel="next".
   */
  private async tagNames(repo: Repository, repository: string): Promise<string[]> {
    const first = (keyset: boolean) => {
      const u = this.tagUrl(repo);
      u.searchParams.set("per_page", "100");
      if (keyset) u.searchParams.set("pagination", "keyset");
      return u;
    };
    const what = `listing the tags of ${repository}`;
    const names: string[] = [];
    let keyset = true;
    const fetch = async (at: URL) => {
      let res: VendorResponse<{ name: string }[]>;
      try {
        res = await this.call<{ name: string }[]>("GET", at, what);
      } catch (e) {
        if (keyset && at.searchParams.has("pagination") && e instanceof RegistryError && (e.status === 400 || e.status === 405)) {
          keyset = false;
          at = first(false);
          res = await this.call<{ name: string }[]>("GET", at, what);
        } else throw e;
      }
      return { items: (res.body ?? []).map((t) => t.name), next: nextLink(res.headers.get("link"), at), bytes: res.bytes };
    };
    for await (const items of pages({ what, first: first(true), origin: this.api.base, budget: { pages: MAX_PAGES }, fetch })) {
      names.push(...items);
      if (names.length >= MAX_TAG_DETAILS) break;
    }
    return names;
  }

  async deleteTag(repository: string, tag: string, digest: string) {
    if (this.noRest) return this.client.deleteManifest(repository, digest);
    const repo = await this.repository(repository);
    const url = this.tagUrl(repo, tag);
    const now = await this.call<TagDetails>("GET", url, `reading tag ${repository}:${tag}`);
    if (now.body.digest && now.body.digest !== digest) {
      throw new RegistryError({ context: `deleting ${repository}:${tag}`, codes: ["DENIED"], status: 409, method: "DELETE", url, reason: `the tag moved to ${now.body.digest} since it was confirmed at ${digest}; nothing was deleted` });
    }
    try {
      await this.call("DELETE", url, `deleting tag ${repository}:${tag}`);
    } catch (e) {
      if (e instanceof RegistryError && e.status === 403 && !/insufficient_scope/.test(e.registryMessage ?? "")) {
        throw new RegistryError({ context: `deleting tag ${repository}:${tag}`, codes: ["DENIED"], status: 403, method: "DELETE", url, registryMessage: e.registryMessage, reason: "GitLab refused: the tag matches a protected-tag rule, or the token's user may not delete in this project" });
      }
      throw e;
    }
  }

  async rateLimit(): Promise<RateLimitBudget | null> {
    return this.budget;
  }

  async credentialExpiry(): Promise<string | null> {
    if (this.expiry === undefined && !this.noRest) await this.tokenInfo().catch(() => undefined);
    return this.expiry ?? null;
  }

  private async tokenInfo() {
    const res = await this.call<{ scopes?: string[]; expires_at?: string | null; active?: boolean }>("GET", apiUrl(this.api.base, "/personal_access_tokens/self"), "reading the GitLab token");
    this.expiry = res.body.expires_at ? new Date(`${res.body.expires_at}T00:00:00Z`).toISOString() : null;
    return res.body;
  }

  async testConnection(): Promise<ConnectionTest> {
    const ping = await this.client.ping();
    const user = this.c.credentials?.username ?? "";
    if (!ping.ok) return pingFailed(this.client, ping, { refused: `${this.client.registry} refused the token of ${user}`, advice: "The token needs the read_registry scope (write_registry to promote into it)." });
    const findings = [`Connected to ${this.client.registry} as ${user} (token auth through GitLab's /jwt/auth).`];
    if (this.noApi) {
      return {
        reachable: true, authenticated: true, catalog: false, delete: null,
        message: `${findings[0]} No GitLab URL is set for this self-managed registry, so GitLab's REST API is not used: repositories cannot be listed (only ${this.namespace || "repositories"} opened by name), GitLab's tag sizes do not show, and deletes go by digest. Set the GitLab URL (e.g. https://gitlab.example.com).`,
        missing: ["GitLab URL"],
      };
    }
    const missing: string[] = [];
    let scopes: string[] | null = null;
    try {
      const info = await this.tokenInfo();
      scopes = info.scopes ?? [];
      for (const s of ["read_registry", "write_registry"]) if (!scopes.includes(s)) missing.push(`${s} scope`);
      if (!scopes.includes("api")) missing.push(`api scope${scopes.includes("read_api") ? " (read_api browses; deleting a tag needs api)" : ""}`);
      findings.push(missing.length ? `The token lacks ${missing.join(", ")}.` : "The token has read_registry, write_registry and api.");
      if (this.expiry) findings.push(`It expires on ${this.expiry.slice(0, 10)}.`);
    } catch (e) {
      if (this.restRefused) {
        return {
          reachable: true, authenticated: true, catalog: false, delete: null,
          message:
            `${findings[0]} GitLab's REST API refused this token: it is a deploy token (deploy tokens only reach the registry). ` +
            `Through /v2 alone Regatta can open ${this.namespace || "repositories"} by name, browse its tags and manifests, retag and promote; ` +
            "it cannot list the project's other repositories, show a tag's size as GitLab reports it, or delete a single tag (a delete goes by digest, and every tag on that digest goes with it). " +
            "A personal, project or group access token with read_registry, write_registry and api gives all of it.",
          missing: ["REST API access: a personal, project or group access token (not a deploy token)"],
        };
      }
      findings.push(`Reading the token's scopes failed: ${(e as Error).message}.`);
    }
    let catalog = false;
    try {
      const page = await this.listRepositories({ pageSize: 1 });
      catalog = !this.restRefused;
      const ns = this.namespace ? `${this.resolved ? (await this.resolved).kind === "groups" ? "group" : "project" : "namespace"} ${this.namespace}` : "this registry";
      findings.push(page.repositories.length ? `The container repositories of ${ns} can be listed.` : `${ns} has no container repositories yet.`);
    } catch (e) {
      findings.push(`Listing the container repositories failed: ${(e as Error).message}.`);
    }
    return {
      reachable: true,
      authenticated: true,
      catalog,
      delete: scopes ? scopes.includes("api") : null,
      message: findings.join(" "),
      missing,
    };
  }
}

export const gitlab: ProviderDefinition = {
  kind: "GITLAB",
  // gitlab.com's registry talks to gitlab.com; a self-managed one's GitLab must be given, not guessed
  defaultApiEndpoint: (c) => (hostOf(c.endpoint) === hostOf(defaultUrl("GITLAB", "defaultEndpoint")) ? GITLAB_URL : undefined),
  open: (c) => new GitLabProvider(c),
};

function hostOf(endpoint: string): string | null {
  try {
    return new URL(endpoint).host;
  } catch {
    return null;
  }
}

import "server-only";
// GitHub Container Registry: /v2 through ghcr.io's token flow with the user and a classic PAT;
// packages, versions (one per digest, with its tags and times) and deletes through the GitHub
// REST packages API (docs.github.com/rest/packages). ghcr.io has no usable _catalog and answers
// 405 to a /v2 DELETE, so listing and deleting go through REST.
import { nextLink, pages, RegistryError } from "@/lib/registry";
import { clientFor, pingFailed } from "./generic";
import type { Connection, ConnectionTest, ProviderDefinition, RateLimitBudget, RegistryProvider, RepositoryVisibility, TagMetadata } from "./types";
import { apiUrl, vendorRequest, type VendorApi, type VendorResponse } from "./vendor-rest";
import { budgetFromHeaders, GITHUB_RATE_LIMIT } from "./rate-limit";
import { defaultUrl } from "@/lib/schemas/registry";

export const GITHUB_API = defaultUrl("GHCR", "defaultApiEndpoint");
const API_VERSION = "2022-11-28";
/** what each scope is for, in the order test connection names them */
export const GHCR_SCOPES = ["read:packages", "write:packages", "delete:packages"] as const;
const MAX_PAGES = 100;

interface Package { name: string; version_count?: number }
interface Version { id: number; name: string; created_at: string; updated_at: string; metadata?: { container?: { tags?: string[] } } }

/** GitHub's error body: { message, documentation_url }. */
export function parseGitHubError(text: string): { message?: string } {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === "string") return { message: body.message };
  } catch { /* not JSON */ }
  return { message: text.trim().slice(0, 200) || undefined };
}

/** Scopes a classic PAT lacks, from X-OAuth-Scopes (write:packages implies read:packages). */
export function missingScopes(header: string | null): string[] {
  const have = new Set((header ?? "").split(",").map((s) => s.trim()).filter(Boolean));
  if (have.has("write:packages")) have.add("read:packages");
  return GHCR_SCOPES.filter((s) => !have.has(s));
}

/** GitHub's token expiry header ("2026-12-31 00:00:00 UTC") as ISO, or null. */
function expiryFrom(headers: Headers): string | null | undefined {
  const v = headers.get("github-authentication-token-expiration");
  if (!v) return undefined;
  const t = Date.parse(v.replace(" UTC", "Z").replace(" ", "T"));
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

export class GhcrProvider implements RegistryProvider {
  readonly client;
  readonly deleteMethod = {
    scope: "digest" as const,
    explanation:
      "GitHub deletes package versions, and a version is one digest: the image goes with every tag on it (GitHub keeps a deleted version restorable for 30 days)",
  };
  private readonly api: VendorApi;
  private readonly owner: string;
  private ownerBase?: Promise<{ path: string; otherUser: boolean }>;
  private budget: RateLimitBudget | null = null;
  private expiry: string | null | undefined;

  constructor(private readonly c: Connection) {
    this.client = clientFor(c);
    const token = c.credentials?.password;
    this.owner = (c.namespace?.trim() || c.credentials?.username || "").toLowerCase();
    this.api = {
      base: c.apiEndpoint ?? GITHUB_API,
      name: "GitHub API",
      insecure: c.insecure,
      authorization: () => (token ? `Bearer ${token}` : undefined),
      parseError: parseGitHubError,
      headers: { accept: "application/vnd.github+json", "x-github-api-version": API_VERSION },
      observe: (h) => this.observe(h),
      // GitHub says "rate limit" with a 403
      onError: (e, method, url, what) =>
        e.status === 403 && /rate limit/i.test(e.registryMessage ?? "") ? new RegistryError({ context: what, codes: ["TOOMANYREQUESTS"], status: 429, method, url, registryMessage: e.registryMessage }) : e,
    };
  }

  private async get<T>(path: string, what: string, query?: Record<string, string | number>) {
    return this.call<T>("GET", apiUrl(this.api.base, path, query), what);
  }

  private call<T>(method: string, url: URL, what: string): Promise<VendorResponse<T>> {
    return vendorRequest<T>(this.api, method, url, what);
  }

  private observe(h: Headers) {
    const scope = `GitHub REST API, per token${this.c.credentials?.username ? ` of ${this.c.credentials.username}` : ""}`;
    this.budget = budgetFromHeaders(h, { ...GITHUB_RATE_LIMIT, scope: () => scope }) ?? this.budget;
    const exp = expiryFrom(h);
    if (exp !== undefined) this.expiry = exp;
  }

  /**
   * Where the owner's packages live in the REST API (github/rest-api-description, packages):
   * `/orgs/{org}` for an organisation; `/user` for the token's own user (the only user form whose
   * version listing takes page, per_page and state, and sees private packages); `/users/{user}`
   * for another user, whose version listing is documented for public packages only, without
   * page, per_page or state.
   */
  private base(): Promise<{ path: string; otherUser: boolean }> {
    this.ownerBase ??= (async () => {
      if (!this.owner) return { path: "/user", otherUser: false };
      const res = await this.get<{ type?: string }>(`/users/${encodeURIComponent(this.owner)}`, `looking up GitHub owner ${this.owner}`);
      if (res.body.type === "Organization") return { path: `/orgs/${encodeURIComponent(this.owner)}`, otherUser: false };
      // no token, or one GitHub does not take: only the public form is left
      const me = await this.get<{ login?: string }>("/user", "reading the GitHub user of the token").catch((e) => {
        if (e instanceof RegistryError && e.status === 401) return null;
        throw e;
      });
      if (me?.body.login?.toLowerCase() === this.owner) return { path: "/user", otherUser: false };
      return { path: `/users/${encodeURIComponent(this.owner)}`, otherUser: true };
    })().catch((e) => {
      this.ownerBase = undefined;
      throw e;
    });
    return this.ownerBase;
  }

  /** The package of a /v2 repository: ghcr.io/<owner>/<package, may contain slashes>. */
  private packageOf(repository: string): string {
    const prefix = `${this.owner}/`;
    if (!repository.toLowerCase().startsWith(prefix)) {
      throw new RegistryError({ context: `reading ${repository}`, codes: ["NAME_INVALID"], method: "GET", url: this.api.base, reason: `${repository} is not under ${this.owner}/, the owner this registry is connected to` });
    }
    return repository.slice(prefix.length);
  }

  private versionsPath = async (pkg: string) => `${(await this.base()).path}/packages/container/${encodeURIComponent(pkg)}/versions`;

  async listRepositories(opts: { cursor?: string; pageSize: number; query?: string }) {
    const base = (await this.base()).path;
    const perPage = Math.min(opts.pageSize, 100);
    const q = opts.query?.toLowerCase();
    let url: URL | undefined = opts.cursor ? new URL(opts.cursor) : apiUrl(this.api.base, `${base}/packages`, { package_type: "container", per_page: perPage, page: 1 });
    if (url.origin !== new URL(this.api.base).origin) throw new RegistryError({ context: "listing GitHub packages", codes: ["NAME_INVALID"], method: "GET", url, reason: "the cursor is not a GitHub API page" });
    const repositories: { name: string }[] = [];
    const what = `listing the container packages of ${this.owner || "the token's user"}`;
    let next: URL | undefined;
    const fetch = async (at: URL) => {
      const res: VendorResponse<Package[]> = await this.call<Package[]>("GET", at, what);
      next = nextLink(res.headers.get("link"), at);
      return { items: res.body ?? [], next, bytes: res.bytes };
    };
    // a filter may need several pages to fill one page of matches
    let read = 0;
    for await (const items of pages({ what, first: url, origin: this.api.base, fetch })) {
      for (const p of items) if (!q || p.name.toLowerCase().includes(q)) repositories.push({ name: `${this.owner}/${p.name}` });
      if (!q || repositories.length >= opts.pageSize || ++read >= MAX_PAGES) break;
    }
    return { repositories, nextCursor: next?.toString() };
  }

  private async versions(repository: string): Promise<Version[]> {
    const pkg = this.packageOf(repository);
    const { otherUser } = await this.base();
    // another user's versions: documented without page/per_page/state (public packages only)
    const first = apiUrl(this.api.base, await this.versionsPath(pkg), otherUser ? {} : { per_page: 100, state: "active" });
    const what = `listing the versions of package ${pkg}`;
    const fetch = async (at: URL) => {
      const res: VendorResponse<Version[]> = await this.call<Version[]>("GET", at, what).catch((e) => {
        if (otherUser && e instanceof RegistryError && e.status === 404) {
          throw new RegistryError({ context: what, codes: ["NAME_UNKNOWN"], status: 404, method: "GET", url: at, reason: `${this.owner} is another GitHub user than the token's, and GitHub lists only public packages of another user; ${pkg} is private or does not exist (GitHub: ${e.registryMessage ?? "404"})` });
        }
        throw e;
      });
      return { items: res.body ?? [], next: nextLink(res.headers.get("link"), at), bytes: res.bytes };
    };
    const out: Version[] = [];
    let read = 0;
    for await (const items of pages({ what, first, origin: this.api.base, fetch })) {
      out.push(...items);
      if (++read >= MAX_PAGES) break;
    }
    return out;
  }

  /**
   * The package's `visibility` (public, private or internal) from GET …/packages/container/{name}
   * (github/rest-api-description, packages/get-package-for-organization / -authenticated-user /
   * -user). A package that does not exist yet is created private: "When you first publish a package
   * that is scoped to your personal account, the default visibility is private" (docs.github.com,
   * configuring-a-packages-access-control-and-visibility); an organisation's new container package
   * is private too until an owner changes it. `internal` (enterprise members only) is not public.
   */
  async visibility(repository: string): Promise<RepositoryVisibility> {
    const pkg = this.packageOf(repository);
    const { path, otherUser } = await this.base();
    try {
      const res = await this.get<{ visibility?: string }>(`${path}/packages/container/${encodeURIComponent(pkg)}`, `reading the visibility of package ${pkg}`);
      const v = res.body?.visibility;
      if (v === "public" || v === "private") return { visibility: v, exists: true, basis: `GitHub package visibility: ${v}` };
      if (v === "internal") return { visibility: "private", exists: true, basis: "GitHub package visibility: internal (enterprise members only)" };
      return { visibility: "unknown", exists: true, basis: "GitHub did not say the package's visibility" };
    } catch (e) {
      if (!(e instanceof RegistryError && e.status === 404)) throw e;
      // another user's private packages answer 404 too: then it cannot be told
      if (otherUser) return { visibility: "unknown", basis: `GitHub shows another user's private packages to no one else; ${pkg} is private or does not exist` };
      return { visibility: "private", exists: false, basis: "GitHub creates a new container package private" };
    }
  }

  async tagMetadata(repository: string): Promise<TagMetadata[]> {
    return (await this.versions(repository)).flatMap((v) =>
      (v.metadata?.container?.tags ?? []).map((tag) => ({ tag, digest: v.name, pushedAt: v.updated_at ?? v.created_at })),
    );
  }

  async deleteTag(repository: string, tag: string, digest: string) {
    const pkg = this.packageOf(repository);
    const version = (await this.versions(repository)).find((v) => v.name === digest);
    if (!version) {
      throw new RegistryError({ context: `deleting ${repository}:${tag}`, codes: ["MANIFEST_UNKNOWN"], status: 404, method: "DELETE", url: this.api.base, reason: `GitHub lists no version ${digest} of package ${pkg}; nothing was deleted` });
    }
    await this.call("DELETE", apiUrl(this.api.base, `${await this.versionsPath(pkg)}/${version.id}`), `deleting version ${version.id} (${digest}) of package ${pkg}`);
  }

  async rateLimit(): Promise<RateLimitBudget | null> {
    // /rate_limit does not count against the budget
    if (!this.budget) await this.get("/rate_limit", "reading the GitHub rate limit").catch(() => undefined);
    return this.budget;
  }

  async credentialExpiry(): Promise<string | null> {
    if (this.expiry === undefined) {
      const answered = await this.get("/user", "reading the GitHub token").then(() => true, () => false);
      if (answered) this.expiry ??= null; // no expiry header: a token without an expiry date
    }
    return this.expiry ?? null;
  }

  async testConnection(): Promise<ConnectionTest> {
    const ping = await this.client.ping();
    const user = this.c.credentials?.username ?? "";
    if (!ping.ok) return pingFailed(this.client, ping, { refused: `${this.client.registry} refused the credentials of ${user}`, advice: "Use a classic personal access token (fine-grained tokens do not work with GitHub Packages)." });
    const findings = [`Connected to ${this.client.registry} as ${user} (token auth).`];
    let missing: string[] = [];
    let apiOk = false;
    try {
      const me = await this.get<{ login?: string }>("/user", "reading the GitHub user of the token");
      apiOk = true;
      const scopes = me.headers.get("x-oauth-scopes");
      if (scopes === null) {
        findings.push("GitHub did not report the token's scopes: it is not a classic personal access token, and GitHub Packages accepts only classic ones.");
        missing = ["a classic personal access token"];
      } else {
        missing = missingScopes(scopes);
        if (missing.length) findings.push(`The token lacks ${missing.join(", ")}: create a classic token with read:packages, write:packages and delete:packages.`);
        else findings.push("The token has read:packages, write:packages and delete:packages.");
      }
      if (this.expiry) findings.push(`It expires on ${this.expiry.slice(0, 10)}.`);
    } catch (e) {
      findings.push(`The GitHub API (${this.api.base}) refused the token: ${(e as Error).message}.`);
    }
    let catalog = false;
    if (apiOk) {
      try {
        const page = await this.listRepositories({ pageSize: 1 });
        catalog = true;
        findings.push(page.repositories.length ? `Container packages of ${this.owner || user} can be listed.` : `${this.owner || user} has no container packages yet.`);
        if ((await this.base()).otherUser) {
          findings.push(`${this.owner} is another GitHub user than the token's: GitHub lists the versions (tags, push times) of only ${this.owner}'s public packages to it. Connect with ${this.owner}'s own token to see private packages.`);
        }
      } catch (e) {
        findings.push(`Listing the container packages of ${this.owner || user} failed: ${(e as Error).message}.`);
      }
    }
    return {
      reachable: true,
      authenticated: true,
      catalog,
      delete: apiOk ? !missing.includes("delete:packages") && !missing.includes("a classic personal access token") : null,
      message: findings.join(" "),
      missing: missing.map((s) => (s.includes(":") ? `${s} scope` : s)),
    };
  }
}

export const ghcr: ProviderDefinition = {
  kind: "GHCR",
  defaultApiEndpoint: () => GITHUB_API,
  open: (c) => new GhcrProvider(c),
};

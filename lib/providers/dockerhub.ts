import "server-only";
// Docker Hub: /v2 through the auth.docker.io token flow (Basic user:PAT on the token request),
// repositories, tag metadata and tag deletes through the Hub REST API (hub.docker.com, a JWT from
// POST /v2/auth/token), and the pull budget from the ratelimit-* headers of a manifest HEAD
// (Docker documents that a HEAD does not count as a pull). See REGISTRIES.md §3.1.
import {
  fetchToken,
  MANIFEST_ACCEPT,
  parseChallenges,
  parseRetryAfter,
  pickChallenge,
  RegistryClient,
  RegistryError,
  repositoryScope,
  sanitizeUrl,
  type ErrorCode,
} from "@/lib/registry";
import { allowsPlainHttp, checkRealm } from "@/lib/registry/auth";
import { pages } from "@/lib/registry/pages";
import { BodyTooLarge, readBodyBounded, readBounded } from "@/lib/bounded-read";
import type { Connection, ConnectionTest, ProviderDefinition, RateLimitBudget, RegistryProvider, RepositoryListing, RepositoryVisibility, TagMetadata } from "./types";
import { pingFailed } from "./generic";

export const HUB_API_DEFAULT = "https://hub.docker.com";
/** Docker's documented probe for the pull budget: HEAD of this manifest. */
export const RATE_LIMIT_PROBE = { repository: "ratelimitpreview/test", reference: "latest" };
/** The Hub API answers at most 100 items per page. */
export const HUB_PAGE_MAX = 100;
const TAG_PAGES_MAX = 100; // 10,000 tags
/** a page of 100 tags is ~100 KB */
const HUB_ANSWER_MAX_BYTES = 8 * 1024 * 1024;

async function boundedJson(res: Response, limit: number): Promise<unknown> {
  return JSON.parse(new TextDecoder().decode(await readBodyBounded(res, limit)));
}
const OFFICIAL = "library";

/** "nginx" is "library/nginx" on Docker Hub; other names stay as they are. */
export function hubRepository(name: string): string {
  return name.includes("/") ? name : `${OFFICIAL}/${name}`;
}

/** namespace and repository of a Hub name ("library/nginx" → ["library", "nginx"]). */
export function splitRepository(name: string): [string, string] {
  const full = hubRepository(name);
  const i = full.indexOf("/");
  return [full.slice(0, i), full.slice(i + 1)];
}

/** The payload of a JWT, unverified (only for what it says about itself: exp, access). */
export function jwtPayload(token: string): Record<string, unknown> | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const v = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as unknown;
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `100;w=21600` → { value: 100, window: 21600 } */
export function parseRateLimitHeader(v: string | null): { value: number; window?: number } | null {
  if (!v) return null;
  const [first, ...params] = v.split(";").map((s) => s.trim());
  const value = Number(first);
  if (!Number.isFinite(value)) return null;
  const w = params.map((p) => /^w=(\d+)$/.exec(p)).find(Boolean);
  return { value, ...(w ? { window: Number(w[1]) } : {}) };
}

/** The budget in a registry answer's headers; null when there are none (unlimited account). */
export function budgetFromHeaders(h: Headers): RateLimitBudget | null {
  const limit = parseRateLimitHeader(h.get("ratelimit-limit"));
  const remaining = parseRateLimitHeader(h.get("ratelimit-remaining"));
  if (!limit || !remaining) return null;
  const source = h.get("docker-ratelimit-source");
  return {
    limit: limit.value,
    remaining: remaining.value,
    ...(limit.window ?? remaining.window ? { windowSeconds: limit.window ?? remaining.window } : {}),
    ...(source ? { scope: `per ${/^[\d.:a-f]+$/i.test(source) ? "IP address" : "account"} ${source}` } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The Hub REST API client

export interface HubApiOptions {
  base: string;
  identifier?: string;
  secret?: string;
  insecure?: boolean;
  timeoutMs?: number;
  now?: () => number;
}

export interface HubPage<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface HubRepository {
  name: string;
  namespace: string;
  last_updated?: string | null;
}

/** GET /v2/namespaces/{ns}/repositories/{repo} (docker/docs content/reference/api/hub/latest.yaml, GetRepository): `is_private`. */
export interface HubRepositoryDetail {
  name?: string;
  namespace?: string;
  is_private?: boolean;
}

export interface HubTag {
  name: string;
  digest?: string;
  last_updated?: string | null;
  tag_last_pushed?: string | null;
  last_updater_username?: string;
  full_size?: number;
}

const STATUS_CODES: Record<number, ErrorCode> = { 401: "UNAUTHORIZED", 403: "DENIED", 404: "NAME_UNKNOWN", 429: "TOOMANYREQUESTS" };

/** The Hub's words from an error body: `{detail}`, `{message}` or `{errinfo…}`; plain text when short. */
function hubMessage(text: string): string | undefined {
  try {
    const b = JSON.parse(text) as Record<string, unknown>;
    for (const k of ["detail", "message", "details", "error"]) if (typeof b[k] === "string" && b[k]) return (b[k] as string).slice(0, 300);
  } catch {
    const t = text.trim();
    if (t && t.length < 300 && !t.startsWith("<")) return t;
  }
  return undefined;
}

/** Seconds to wait: Retry-After (seconds or HTTP date), else X-Retry-After (a unix time, as the Hub API documents). */
export function hubRetryAfter(h: Headers, now = Date.now()): number | undefined {
  const ra = parseRetryAfter(h.get("retry-after"), now);
  if (ra !== undefined) return ra;
  const x = Number(h.get("x-retry-after") ?? NaN);
  return Number.isFinite(x) && x > 0 ? Math.max(0, Math.ceil(x - now / 1000)) : undefined;
}

export class HubApi {
  readonly base: URL;
  private jwt?: { token: string; expiresAt: number };
  private login_?: Promise<string>;
  private readonly now: () => number;

  constructor(private readonly opts: HubApiOptions) {
    this.base = new URL(opts.base);
    this.now = opts.now ?? Date.now;
    // refused at the first call, not here: /v2 browsing keeps working with a bad Hub API setting
    if (this.base.protocol !== "https:" && !allowsPlainHttp(this.base, !!opts.insecure)) {
      this.refused = new RegistryError({ context: "connecting to the Hub API", codes: ["UNAUTHORIZED"], method: "GET", url: this.base, reason: `${this.base.origin} is not https; refusing to send the access token there (tick "Allow plain http" for a private network)` });
    }
  }

  private readonly refused?: RegistryError;

  get authenticated(): boolean {
    return !!(this.opts.identifier && this.opts.secret);
  }

  private async send(method: string, url: URL, what: string, init: { body?: unknown; auth?: string } = {}): Promise<Response> {
    if (this.refused) throw this.refused;
    try {
      return await fetch(url, {
        method,
        headers: {
          accept: "application/json",
          ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
          ...(init.auth ? { authorization: init.auth } : {}),
        },
        body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
        redirect: "manual",
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000),
      });
    } catch (e) {
      const timeout = (e as Error).name === "TimeoutError";
      throw new RegistryError({ context: what, codes: [timeout ? "TIMEOUT" : "NETWORK"], method, url, reason: timeout ? "no answer in time" : `cannot reach ${url.host}: ${(e as Error).message}`, cause: e });
    }
  }

  private async fail(res: Response, method: string, url: URL, what: string): Promise<never> {
    const text = new TextDecoder().decode(await readBounded(res.body, 64 * 1024, { truncate: true }).catch(() => new Uint8Array(0)));
    const retryAfter = res.status === 429 ? hubRetryAfter(res.headers, this.now()) : undefined;
    throw new RegistryError({
      context: what,
      codes: STATUS_CODES[res.status] ? [STATUS_CODES[res.status]] : [],
      status: res.status,
      method,
      url,
      registryMessage: hubMessage(text),
      reason: `HTTP ${res.status}`,
      retryAfter,
    });
  }

  /** A JWT for the Hub API (POST /v2/auth/token), reused until shortly before it expires. */
  async token(): Promise<string> {
    if (this.jwt && this.jwt.expiresAt > this.now()) return this.jwt.token;
    this.login_ ??= (async () => {
      const url = new URL("/v2/auth/token", this.base);
      const what = `signing in to the Hub API as ${this.opts.identifier}`;
      const res = await this.send("POST", url, what, { body: { identifier: this.opts.identifier, secret: this.opts.secret } });
      if (res.status !== 200) await this.fail(res, "POST", url, what);
      const body = (await boundedJson(res, 1024 * 1024).catch(() => ({}))) as { access_token?: unknown; token?: unknown };
      const token = typeof body.access_token === "string" ? body.access_token : typeof body.token === "string" ? body.token : "";
      if (!token) throw new RegistryError({ context: what, codes: ["MALFORMED"], status: res.status, method: "POST", url, reason: "the answer has no access_token" });
      const exp = Number(jwtPayload(token)?.exp ?? NaN);
      // documented lifetime: 10 minutes; renewed 30 s early
      const expiresAt = (Number.isFinite(exp) ? exp * 1000 : this.now() + 600_000) - 30_000;
      this.jwt = { token, expiresAt };
      return token;
    })().finally(() => (this.login_ = undefined));
    return this.login_;
  }

  /** One call; a 401 with a cached JWT signs in again once. Absolute URLs must stay on the API's origin. */
  async request(method: string, pathOrUrl: string | URL, what: string): Promise<Response> {
    const url = new URL(pathOrUrl, this.base);
    if (url.origin !== this.base.origin) {
      throw new RegistryError({ context: what, codes: ["MALFORMED"], method, url: sanitizeUrl(url), reason: `the Hub API pointed to another host (${url.host}); not following it` });
    }
    for (let attempt = 0; ; attempt++) {
      const auth = this.authenticated ? `Bearer ${await this.token()}` : undefined;
      const res = await this.send(method, url, what, { auth });
      if (res.status === 401 && auth && attempt === 0) {
        await res.body?.cancel();
        this.jwt = undefined;
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res;
      return this.fail(res, method, url, what);
    }
  }

  async json<T>(pathOrUrl: string | URL, what: string): Promise<T> {
    const res = await this.request("GET", pathOrUrl, what);
    try {
      return (await boundedJson(res, HUB_ANSWER_MAX_BYTES)) as T;
    } catch (e) {
      if (e instanceof BodyTooLarge) throw new RegistryError({ context: what, codes: ["MALFORMED"], status: res.status, method: "GET", url: sanitizeUrl(new URL(pathOrUrl, this.base)), reason: `the answer exceeds the ${HUB_ANSWER_MAX_BYTES}-byte limit; not read further` });
      throw new RegistryError({ context: what, codes: ["MALFORMED"], status: res.status, method: "GET", url: sanitizeUrl(new URL(pathOrUrl, this.base)), reason: "the answer is not JSON" });
    }
  }

  /** One page of a namespace's repositories. */
  repositories(namespace: string, page: number, pageSize: number, name?: string): Promise<HubPage<HubRepository>> {
    const u = new URL(`/v2/namespaces/${encodeURIComponent(namespace)}/repositories`, this.base);
    u.searchParams.set("page", String(page));
    u.searchParams.set("page_size", String(Math.min(Math.max(pageSize, 1), HUB_PAGE_MAX)));
    if (name) u.searchParams.set("name", name);
    return this.json(u, `listing the repositories of ${namespace} on Docker Hub`);
  }

  /** One repository (GetRepository); a 404 is null: no such repository (yet). */
  async repository(namespace: string, repository: string): Promise<HubRepositoryDetail | null> {
    const u = new URL(`/v2/namespaces/${encodeURIComponent(namespace)}/repositories/${encodeURIComponent(repository)}`, this.base);
    try {
      return await this.json<HubRepositoryDetail>(u, `reading repository ${namespace}/${repository} on Docker Hub`);
    } catch (e) {
      if (e instanceof RegistryError && e.status === 404) return null;
      throw e;
    }
  }

  /** Every tag of a repository, following `next` (100 a page, at most 100 pages). */
  async tags(namespace: string, repository: string): Promise<HubTag[]> {
    const what = `listing the tags of ${namespace}/${repository} on Docker Hub`;
    const first = new URL(`/v2/namespaces/${encodeURIComponent(namespace)}/repositories/${encodeURIComponent(repository)}/tags?page=1&page_size=${HUB_PAGE_MAX}`, this.base);
    const out: HubTag[] = [];
    let read = 0;
    const fetch = async (next: string) => {
      const page: HubPage<HubTag> = await this.json(next, what);
      return { items: page.results ?? [], next: page.next || undefined };
    };
    for await (const items of pages({ what, first: first.href, origin: this.base, fetch })) {
      out.push(...items);
      if (++read >= TAG_PAGES_MAX) break;
    }
    return out;
  }

  /**
   * DELETE /v2/repositories/{ns}/{repo}/tags/{tag}/ (204): only this tag goes. Not in Hub's published
   * API description (docker/docs content/reference/api/hub/latest.yaml documents only GET and HEAD
   * on /v2/namespaces/{ns}/repositories/{repo}/tags/{tag}); it is the call Hub's web UI makes, and
   * Hub has refused it for JWTs signed in with a personal access token. A refusal says all that,
   * with Hub's own answer; nothing is deleted then.
   */
  async deleteTag(namespace: string, repository: string, tag: string): Promise<void> {
    const what = `deleting ${namespace}/${repository}:${tag} on Docker Hub`;
    try {
      const res = await this.request("DELETE", `/v2/repositories/${encodeURIComponent(namespace)}/${encodeURIComponent(repository)}/tags/${encodeURIComponent(tag)}/`, what);
      await res.body?.cancel();
    } catch (e) {
      if (!(e instanceof RegistryError) || e.status === undefined || e.status === 404 || e.status === 429 || e.status >= 500) throw e;
      throw new RegistryError({
        context: what, codes: e.codes, status: e.status, method: "DELETE", url: e.url,
        reason: `Docker Hub refused the tag delete and answered HTTP ${e.status} “${e.registryMessage ?? "(no message)"}”. ${HUB_DELETE_UNDOCUMENTED} Nothing was deleted.`,
      });
    }
  }
}

/** What is not known of Hub's tag delete, said wherever Regatta offers it. */
export const HUB_DELETE_UNDOCUMENTED =
  "Hub's published API description has no tag delete: Regatta uses the call Hub's web UI makes (DELETE /v2/repositories/…/tags/…/), which Hub has refused for personal access tokens.";

// ---------------------------------------------------------------------------------------------
// The /v2 client: library/ for official names, and a tap that keeps the last pull budget seen

class HubRegistryClient extends RegistryClient {
  override tagsPage(...a: Parameters<RegistryClient["tagsPage"]>) { a[0] = hubRepository(a[0]); return super.tagsPage(...a); }
  override listTags(...a: Parameters<RegistryClient["listTags"]>) { a[0] = hubRepository(a[0]); return super.listTags(...a); }
  override headManifest(...a: Parameters<RegistryClient["headManifest"]>) { a[0] = hubRepository(a[0]); return super.headManifest(...a); }
  override getManifest(...a: Parameters<RegistryClient["getManifest"]>) { a[0] = hubRepository(a[0]); return super.getManifest(...a); }
  override putManifest(...a: Parameters<RegistryClient["putManifest"]>) { a[0] = hubRepository(a[0]); return super.putManifest(...a); }
  override putManifestDetailed(...a: Parameters<RegistryClient["putManifestDetailed"]>) { a[0] = hubRepository(a[0]); return super.putManifestDetailed(...a); }
  override deleteManifest(...a: Parameters<RegistryClient["deleteManifest"]>) { a[0] = hubRepository(a[0]); return super.deleteManifest(...a); }
  override headBlob(...a: Parameters<RegistryClient["headBlob"]>) { a[0] = hubRepository(a[0]); return super.headBlob(...a); }
  override getBlob(...a: Parameters<RegistryClient["getBlob"]>) { a[0] = hubRepository(a[0]); return super.getBlob(...a); }
  override readBlob(...a: Parameters<RegistryClient["readBlob"]>) { a[0] = hubRepository(a[0]); return super.readBlob(...a); }
  override uploadBlob(...a: Parameters<RegistryClient["uploadBlob"]>) { a[0] = hubRepository(a[0]); return super.uploadBlob(...a); }
  override mountBlob(...a: Parameters<RegistryClient["mountBlob"]>) { a[0] = hubRepository(a[0]); a[2] = hubRepository(a[2]); return super.mountBlob(...a); }
  override uploadSession(...a: Parameters<RegistryClient["uploadSession"]>) { a[0] = hubRepository(a[0]); return super.uploadSession(...a); }
  override referrers(...a: Parameters<RegistryClient["referrers"]>) { a[0] = hubRepository(a[0]); return super.referrers(...a); }
}

const MANIFEST_PATH = /^\/v2\/.+\/manifests\/[^/]+$/;

/** Keeps the last pull budget seen on any manifest answer, and when to retry after a 429. */
export class BudgetTap {
  last?: RateLimitBudget;
  retryAt?: number;

  observe(method: string, url: URL, res: Response, now: number) {
    if (!MANIFEST_PATH.test(url.pathname)) return;
    const budget = budgetFromHeaders(res.headers);
    if (budget) this.last = budget;
    if (res.status === 429) {
      // Retry-After when sent, else a `ratelimit-reset` (seconds, IETF RateLimit draft); never a guess
      const reset = Number(res.headers.get("ratelimit-reset")?.split(";")[0] ?? NaN);
      const wait = hubRetryAfter(res.headers, now) ?? (Number.isFinite(reset) && reset > 0 ? reset : undefined);
      this.retryAt = wait !== undefined ? now + wait * 1000 : undefined;
      if (this.last) this.last = { ...this.last, remaining: 0 };
    } else if ((budget && budget.remaining > 0) || (res.status === 200 && method === "GET")) {
      // pulls work again: a budget left, or a manifest read that went through
      this.retryAt = undefined;
    }
  }

  /** The budget as last seen, with when to retry while a 429 holds. */
  current(now: number): RateLimitBudget | null {
    if (!this.last) return null;
    return this.retryAt && this.retryAt > now ? { ...this.last, retryAt: new Date(this.retryAt).toISOString() } : this.last;
  }
}

// ---------------------------------------------------------------------------------------------
// The provider

const DELETE_EXPLANATION = `Docker Hub removes just this tag; other tags on the same digest stay, and the image can still be pulled by digest until Docker Hub cleans it up. Uncertain: ${HUB_DELETE_UNDOCUMENTED} If Hub refuses, its answer is shown and nothing changes`;

function plural(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

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
    options: { timeoutMs: 10_000, retries: 1 },
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
    if (!ping.ok) {
      return pingFailed(client, ping, {
        refused: "Docker Hub refused the user name or access token",
        error: "Docker Hub answered with an error",
        advice: "Check the user name and create a new personal access token if this one was revoked.",
        missing: ["a valid personal access token for this user"],
      });
    }
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

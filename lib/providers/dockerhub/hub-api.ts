import "server-only";
// Docker Hub's REST API (hub.docker.com): repositories, tag metadata and tag deletes, with a JWT from
// POST /v2/auth/token, through the shared vendor REST call (lib/providers/vendor-rest.ts).
import { parseRetryAfter, RegistryError, sanitizeUrl } from "@/lib/registry";
import { allowsPlainHttp } from "@/lib/registry/auth";
import { pages } from "@/lib/registry/pages";
import { defaultUrl } from "@/lib/schemas/registry";
import { vendorRequest, type VendorApi, type VendorResponse } from "../vendor-rest";

export const HUB_API_DEFAULT = defaultUrl("DOCKERHUB", "defaultApiEndpoint");
/** The Hub API answers at most 100 items per page. */
export const HUB_PAGE_MAX = 100;
const TAG_PAGES_MAX = 100; // 10,000 tags
/** a page of 100 tags is ~100 KB */
const HUB_ANSWER_MAX_BYTES = 8 * 1024 * 1024;

export const OFFICIAL = "library";

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

  /** The shared vendor REST call, the Hub's way: its error words, X-Retry-After, the answer bound. */
  private api(auth: string | undefined): VendorApi {
    return {
      base: this.base.href,
      name: "the Hub API",
      insecure: !!this.opts.insecure,
      authorization: () => auth,
      parseError: (text) => ({ message: hubMessage(text) }),
      retryAfter: (h) => hubRetryAfter(h, this.now()),
      timeoutMs: this.opts.timeoutMs,
      maxBytes: HUB_ANSWER_MAX_BYTES,
    };
  }

  /** A JWT for the Hub API (POST /v2/auth/token), reused until shortly before it expires. */
  async token(): Promise<string> {
    if (this.jwt && this.jwt.expiresAt > this.now()) return this.jwt.token;
    this.login_ ??= (async () => {
      const url = new URL("/v2/auth/token", this.base);
      const what = `signing in to the Hub API as ${this.opts.identifier}`;
      if (this.refused) throw this.refused;
      const res = await vendorRequest<{ access_token?: unknown; token?: unknown }>(this.api(undefined), "POST", url, what, { body: { identifier: this.opts.identifier, secret: this.opts.secret }, ok: [200] });
      const body = res.body ?? {};
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
  async request<T = unknown>(method: string, pathOrUrl: string | URL, what: string): Promise<VendorResponse<T>> {
    if (this.refused) throw this.refused;
    const url = new URL(pathOrUrl, this.base);
    if (url.origin !== this.base.origin) {
      throw new RegistryError({ context: what, codes: ["MALFORMED"], method, url: sanitizeUrl(url), reason: `the Hub API pointed to another host (${url.host}); not following it` });
    }
    for (let attempt = 0; ; attempt++) {
      const auth = this.authenticated ? `Bearer ${await this.token()}` : undefined;
      try {
        return await vendorRequest<T>(this.api(auth), method, url, what);
      } catch (e) {
        if (!(e instanceof RegistryError && e.status === 401 && auth && attempt === 0)) throw e;
        this.jwt = undefined;
      }
    }
  }

  async json<T extends object>(pathOrUrl: string | URL, what: string): Promise<T> {
    const res = await this.request<T>("GET", pathOrUrl, what);
    if (typeof res.body !== "object" || res.body === null) throw new RegistryError({ context: what, codes: ["MALFORMED"], status: res.status, method: "GET", url: sanitizeUrl(res.url), reason: "the answer is not a JSON object" });
    return res.body;
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
      await this.request("DELETE", `/v2/repositories/${encodeURIComponent(namespace)}/${encodeURIComponent(repository)}/tags/${encodeURIComponent(tag)}/`, what);
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

// Registry authentication: WWW-Authenticate challenges, bearer tokens and their cache
// (distribution docs/spec/auth/token.md; ggcr pkg/v1/remote/transport/bearer.go).
import { createHash } from "node:crypto";
import { checkResponse, RegistryError } from "./errors";

/** The user name and password (or token) the /v2 client signs in with: Basic, or on a token request. */
export interface RegistryLogin {
  username: string;
  password: string;
}
/** A static pair, or a provider called whenever credentials are needed (ECR and Google tokens expire). */
export type CredentialsSource = RegistryLogin | (() => Promise<RegistryLogin | undefined>);

export async function resolveCredentials(source: CredentialsSource | undefined): Promise<RegistryLogin | undefined> {
  if (source === undefined) return undefined;
  return typeof source === "function" ? source() : source;
}

/** Identifies credentials in cache keys without keeping the secret itself. */
export function credentialIdentity(credentials: RegistryLogin | undefined): string {
  if (!credentials) return "anonymous";
  return createHash("sha256").update(`${credentials.username}:${credentials.password}`).digest("hex");
}

export function basicAuthorization(credentials: RegistryLogin): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, "utf8").toString("base64")}`;
}

export interface Challenge {
  /** Lowercased: "basic", "bearer", ... */
  scheme: string;
  /** Parameter names lowercased; values unquoted. */
  params: Record<string, string>;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * RFC 7235 challenges. One header may hold several (`Bearer realm="a",scope="x", Basic realm="b"`)
 * and quoted values contain commas (`scope="repository:a/b:pull,push"`), so no naive split.
 */
export function parseChallenges(header: string | null | undefined): Challenge[] {
  const s = header ?? "";
  const n = s.length;
  let i = 0;
  const isWs = (c: string | undefined) => c === " " || c === "\t";
  const skip = (commas: boolean) => {
    while (i < n && (isWs(s[i]) || (commas && s[i] === ","))) i++;
  };
  const token = () => {
    const start = i;
    while (i < n && TCHAR.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  const value = () => {
    if (s[i] !== '"') {
      const start = i;
      while (i < n && s[i] !== "," && !isWs(s[i])) i++;
      return s.slice(start, i);
    }
    let out = "";
    i++;
    while (i < n && s[i] !== '"') {
      if (s[i] === "\\" && i + 1 < n) i++;
      out += s[i];
      i++;
    }
    i++;
    return out;
  };

  const challenges: Challenge[] = [];
  while (i < n) {
    skip(true);
    const scheme = token();
    if (scheme === "") {
      if (i < n) i++;
      continue;
    }
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    for (;;) {
      const save = i;
      skip(true);
      const name = token();
      skip(false);
      if (name === "" || s[i] !== "=") {
        i = save; // not "name=": the next challenge's scheme (or the end)
        break;
      }
      i++;
      skip(false);
      challenge.params[name.toLowerCase()] = value();
    }
  }
  return challenges;
}

/** The challenge to answer: Bearer if offered (it scopes access), else Basic. */
export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === "bearer") ?? challenges.find((c) => c.scheme === "basic");
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * RegistryLogin and tokens travel only over https, except to a plain-http registry on loopback
 * (test registries) or when the client was created with insecure: true.
 */
export function allowsPlainHttp(endpoint: URL, insecure: boolean): boolean {
  return insecure || (endpoint.protocol === "http:" && isLoopbackHost(endpoint.hostname));
}

export function checkRealm(realm: string, endpoint: URL, insecure: boolean, context: string): URL {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new RegistryError({ context, codes: ["UNAUTHORIZED"], method: "GET", url: endpoint, reason: "the token realm in the challenge is not a URL" });
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && allowsPlainHttp(endpoint, insecure))) return url;
  throw new RegistryError({
    context,
    codes: ["UNAUTHORIZED"],
    method: "GET",
    url,
    reason: `token realm ${url.origin} is not https; refusing to send credentials there (only loopback http registries, or insecure: true, may use one)`,
  });
}

interface CacheEntry {
  realm: string;
  service: string;
  identity: string;
  scopes: string[];
  token: string;
  expiresAt: number;
}

export interface TokenCacheOptions {
  now?: () => number;
  /** Refresh this long before expiry (capped at a tenth of the lifetime). */
  refreshEarlyMs?: number;
  maxEntries?: number;
}

/** The spec's default when a token response has no expires_in. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 60;

/** Bearer tokens keyed by (realm, service, sorted scope set, credential identity). */
export class TokenCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly now: () => number;
  private readonly refreshEarlyMs: number;
  private readonly maxEntries: number;

  constructor(options: TokenCacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.refreshEarlyMs = options.refreshEarlyMs ?? 10_000;
    this.maxEntries = options.maxEntries ?? 256;
  }

  static key(realm: string, service: string, scopes: readonly string[], identity: string): string {
    return JSON.stringify([realm, service, [...scopes].sort(), identity]);
  }

  /** A live token for exactly this scope set. */
  get(realm: string, service: string, scopes: readonly string[], identity: string): string | undefined {
    const entry = this.entries.get(TokenCache.key(realm, service, scopes, identity));
    return entry && entry.expiresAt > this.now() ? entry.token : undefined;
  }

  /** A live token whose scope set covers the needed one (a push,pull token serves a pull). */
  find(realm: string, service: string, needed: readonly string[], identity: string, covers: (granted: string[], needed: readonly string[]) => boolean): string | undefined {
    const exact = this.get(realm, service, needed, identity);
    if (exact) return exact;
    const now = this.now();
    for (const e of this.entries.values()) {
      if (e.realm === realm && e.service === service && e.identity === identity && e.expiresAt > now && covers(e.scopes, needed)) return e.token;
    }
    return undefined;
  }

  /** issuedAt (ms) shortens the lifetime when the server hands out an already aged token. */
  set(realm: string, service: string, scopes: readonly string[], identity: string, token: string, expiresInSeconds?: number, issuedAt?: number): void {
    const now = this.now();
    const lifetimeMs = (expiresInSeconds && expiresInSeconds > 0 ? expiresInSeconds : DEFAULT_TOKEN_LIFETIME_SECONDS) * 1000;
    const age = issuedAt !== undefined ? now - issuedAt : 0;
    // An age outside [0, lifetime] means the clocks disagree; then count from receipt.
    const remaining = age > 0 && age < lifetimeMs ? lifetimeMs - age : lifetimeMs;
    const early = Math.min(this.refreshEarlyMs, lifetimeMs / 10);
    const sorted = [...scopes].sort();
    this.prune(now);
    this.entries.set(TokenCache.key(realm, service, sorted, identity), { realm, service, identity, scopes: sorted, token, expiresAt: now + remaining - early });
  }

  /** Drops every entry holding this token (called on a 401 that answered it). */
  invalidate(token: string): void {
    for (const [key, e] of this.entries) if (e.token === token) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(now: number): void {
    for (const [key, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}

export interface TokenRequest {
  realm: URL;
  service?: string;
  scopes: readonly string[];
  credentials?: RegistryLogin;
}

export interface TokenResponse {
  token: string;
  expiresIn?: number;
  issuedAt?: number;
}

export type TokenSender = (url: URL, headers: Record<string, string>, context: string) => Promise<Response>;

/** GET realm?service=..&scope=..&scope=.. (one scope parameter per scope), Basic when we have credentials. */
export function tokenUrl(req: TokenRequest): URL {
  const url = new URL(req.realm);
  if (req.service) url.searchParams.append("service", req.service);
  for (const scope of req.scopes) url.searchParams.append("scope", scope);
  return url;
}

export async function fetchToken(send: TokenSender, req: TokenRequest, context: string): Promise<TokenResponse> {
  const url = tokenUrl(req);
  const headers: Record<string, string> = { accept: "application/json" };
  if (req.credentials) headers.authorization = basicAuthorization(req.credentials);
  const res = await send(url, headers, context);
  const ctx = { what: context, method: "GET", url };
  await checkResponse(res, ctx, 200);
  let body: Record<string, unknown>;
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    throw new RegistryError({ context, codes: ["MALFORMED"], status: res.status, method: "GET", url, reason: "token response is not JSON" });
  }
  // Both fields are allowed and equal when both are present (token.md "Token Response Fields").
  const token = typeof body.token === "string" && body.token ? body.token : body.access_token;
  if (typeof token !== "string" || token === "") {
    throw new RegistryError({ context, codes: ["MALFORMED"], status: res.status, method: "GET", url, reason: "token response has neither token nor access_token" });
  }
  const expiresIn = typeof body.expires_in === "number" ? body.expires_in : undefined;
  const issued = typeof body.issued_at === "string" ? Date.parse(body.issued_at) : NaN;
  return { token, expiresIn, issuedAt: Number.isNaN(issued) ? undefined : issued };
}

// The one fetch wrapper for registries: auth (inside the transport, like ggcr's bearer.go),
// retries with backoff, timeouts, manual redirects and a per-host concurrency limit (one per host
// for the process, fair between users: lanes.ts).
import { STATUS_CODES } from "node:http";
import { Agent, fetch as undiciFetch } from "undici";
import { BodyTooLarge, readBodyBounded, readBounded } from "@/lib/bounded-read";
import { AddressPolicy, type Resolver } from "./address";
import { allowsPlainHttp, TokenCache, type CredentialsSource } from "./auth";
import { Authenticator } from "./authenticator";
import { Deadline, DeadlineExceeded, sleep, watchStream } from "./deadline";
import { parseRetryAfter, RegistryError } from "./errors";
import { parseRateLimitRemaining, reportRegistryCall } from "./observe";
import { currentRegistryLane, hostLimiter } from "./lanes";

export interface TransportOptions {
  /** Whole call (headers and buffered body) for everything that is not a streamed blob. */
  timeoutMs: number;
  /** Longest silence allowed while a blob streams in either direction. */
  idleTimeoutMs: number;
  /** Extra attempts after the first, for 429, 500/502/503/504 and network errors. */
  retries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A longer Retry-After fails at once with retryAfter set instead of waiting. */
  maxRetryAfterSeconds: number;
  concurrencyPerHost: number;
  maxRedirects: number;
  /**
   * "stream": the bytes streamed in the PUT that closes the session (one streamed PATCH first when the
   * size is unknown); "chunked": PATCHes of at most uploadChunkSize with Content-Range, then the PUT.
   */
  uploadMode: "stream" | "chunked";
  uploadChunkSize: number;
  /** Manifests are small (registry:2 accepts 4 MiB); anything larger is refused unread. */
  maxManifestBytes: number;
  /** Any other buffered answer (tag lists, token answers); a request may ask for less with maxBytes. */
  maxResponseBytes: number;
  /** Of an error answer only this much is read (enough to quote the registry's message). */
  maxErrorBodyBytes: number;
}

export const DEFAULT_OPTIONS: Readonly<TransportOptions> = Object.freeze({
  timeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  retries: 3,
  backoffBaseMs: 200,
  backoffMaxMs: 10_000,
  maxRetryAfterSeconds: 60,
  concurrencyPerHost: 8,
  maxRedirects: 5,
  uploadMode: "stream",
  uploadChunkSize: 16 * 1024 * 1024,
  maxManifestBytes: 8 * 1024 * 1024,
  maxResponseBytes: 16 * 1024 * 1024,
  maxErrorBodyBytes: 64 * 1024,
});

export const DEFAULT_USER_AGENT = "regatta-registry-client/0.1";

export interface TransportConfig {
  endpoint: URL;
  credentials?: CredentialsSource;
  /** Allows plain-http token realms and credentials for a non-loopback http endpoint. It does not skip TLS checks. */
  insecure?: boolean;
  options?: Partial<TransportOptions>;
  /** Injectable for tests; undici's fetch otherwise (registryFetch). */
  fetch?: typeof fetch;
  userAgent?: string;
  /** Share one cache between clients of the same registry; each client has its own otherwise. */
  tokenCache?: TokenCache;
  /** Host name resolution for the address policy (tests inject one); the system resolver otherwise. */
  resolve?: Resolver;
}

export interface TransportRequest {
  method: string;
  url: URL;
  /** Error context, e.g. "listing tags of 127.0.0.1:5000/acme/api". */
  what: string;
  /** Token scopes the operation needs, e.g. ["repository:acme/api:pull"]. */
  scopes: readonly string[];
  headers?: Record<string, string>;
  body?: Uint8Array | ReadableStream<Uint8Array>;
  /** Hand the response body over as a stream, guarded by the idle timeout. */
  streamResponse?: boolean;
  /**
   * true: follow 3xx to other hosts too (blob downloads, which registries send to storage).
   * Default: follow only within the registry's own origin; a 3xx elsewhere comes back as it is.
   * false: return every 3xx as it is (HEAD on a blob: a redirect already means "exists").
   */
  followRedirects?: boolean;
  /** Most bytes of a buffered answer (default options.maxResponseBytes); more fails MALFORMED unread. */
  maxBytes?: number;
  /** false: no registry auth (token requests); their own Authorization stays on their own host. */
  auth?: boolean;
  signal?: AbortSignal;
  /** Overrides options.retries for this call. */
  retries?: number;
}

/** A token answer is a JWT or two in JSON: a few KiB. */
const MAX_TOKEN_ANSWER_BYTES = 1024 * 1024;
const MIN_UPLOAD_BYTES_PER_SECOND = 100 * 1024;
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Node's fetch (undici) closes the connection after every HEAD (nodejs/undici#258, for servers that
 * send a body with one). Registries do not, and a tag table makes a HEAD per tag: each one was a new
 * TCP (on a vendor, TLS) connection and an error object to close it. This dispatcher keeps HEADs'
 * connections like every other request's: 1,500 HEADs to a registry:2 on this machine took 1.75 s
 * and 0.5–0.7 s of Node's CPU instead of 2.2–2.6 s and 1.1–1.9 s. A registry that did send a body
 * after a HEAD would only break its own next answer on that connection (the pool is per origin).
 * undici's own fetch with its own Agent: a dispatcher handed to Node's global fetch would have to
 * match the undici inside that Node (6 in Node 20 and 22, 7 in Node 24, the image's default).
 */
const registryDispatcher = new Agent().compose((dispatch) => (opts, handler) =>
  dispatch(opts.method === "HEAD" && opts.reset == null ? { ...opts, reset: false } : opts, handler));
const registryFetch: typeof fetch = (input, init) =>
  init?.method === "HEAD" && input instanceof URL ? registryHead(input, init)
    : undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: registryDispatcher }) as unknown as Promise<Response>;

/**
 * A HEAD through undici's request() on the same dispatcher: fetch builds a Request, a body stream
 * and abort signals per call, each a "transferable" on Node 20 (a cold 1,500-tag table's profile:
 * ~90 ms of ReadableStream and AbortSignal set-up alone). A HEAD has no body and the transport
 * follows redirects itself, so the answer is its status and headers. Same semantics as fetch with
 * redirect "manual": a 3xx comes back as it is; an abort rejects with the signal's reason.
 */
async function registryHead(url: URL, init: RequestInit): Promise<Response> {
  const res = await registryDispatcher.request({
    origin: url.origin, path: `${url.pathname}${url.search}`, method: "HEAD",
    headers: init.headers as Record<string, string>, signal: init.signal ?? undefined,
  });
  await res.body.dump();
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  // request() gives no reason phrase: the standard one keeps error messages as fetch's were ("HTTP 403 Forbidden")
  return new Response(null, { status: res.statusCode, statusText: STATUS_CODES[res.statusCode] ?? "", headers });
}

export class Transport {
  readonly options: Readonly<TransportOptions>;
  readonly endpoint: URL;
  private readonly fetchImpl: typeof fetch;
  private readonly auth: Authenticator;
  private readonly policy: AddressPolicy;

  constructor(private readonly config: TransportConfig) {
    this.endpoint = config.endpoint;
    const given = Object.fromEntries(Object.entries(config.options ?? {}).filter(([, v]) => v !== undefined));
    this.options = Object.freeze({ ...DEFAULT_OPTIONS, ...given });
    this.fetchImpl = config.fetch ?? registryFetch;
    this.policy = new AddressPolicy(config.endpoint, config.resolve);
    this.auth = new Authenticator({
      endpoint: config.endpoint,
      credentials: config.credentials,
      insecure: !!config.insecure,
      tokens: config.tokenCache ?? new TokenCache(),
      send: (url, headers, what) => this.request({ method: "GET", url, headers, what, scopes: [], auth: false, maxBytes: MAX_TOKEN_ANSWER_BYTES }, "token"),
    });
  }

  /** "basic" or "bearer" once a challenge was seen, "none" for an open registry, undefined before any request. */
  get authScheme(): "none" | "basic" | "bearer" | undefined {
    return this.auth.scheme;
  }

  /** One logical call (retries and a token refresh included), reported to the call observer (metrics). */
  async request(req: TransportRequest, type: "call" | "token" = "call"): Promise<Response> {
    const t0 = performance.now();
    const report = (status?: number, headers?: Headers) => reportRegistryCall({
      endpoint: this.endpoint.host, method: req.method, type, status, seconds: (performance.now() - t0) / 1000,
      rateLimitRemaining: parseRateLimitRemaining(headers?.get("ratelimit-remaining") ?? null),
    });
    try {
      const res = await this.attempts(req);
      report(res.status, res.headers);
      return res;
    } catch (e) {
      report((e as { status?: number }).status);
      throw e;
    }
  }

  private async attempts(req: TransportRequest): Promise<Response> {
    const replayable = !(req.body instanceof ReadableStream);
    // A streamed body cannot be sent twice, so learn the auth scheme and get a token before it goes.
    if (!replayable && req.auth !== false && this.auth.scheme === undefined) {
      const ping = await this.request({ method: "GET", url: new URL("/v2/", this.endpoint), what: req.what, scopes: [], auth: false, signal: req.signal });
      await this.auth.learn(ping, req.what);
    }
    const retries = req.retries ?? this.options.retries;
    let attempt = 0;
    let reauthenticated = false;
    let fresh: string | undefined; // the Authorization obtained by answering a challenge
    for (;;) {
      const authorization = fresh ?? (req.auth === false ? undefined : await this.auth.authorizationFor(req.scopes, req.what));
      let res: Response;
      let url: URL;
      try {
        ({ res, url } = await this.send(req, authorization));
      } catch (e) {
        const err = this.toError(e, req);
        if (replayable && attempt < retries && err.isTemporary()) {
          await sleep(this.backoff(attempt++), req.signal);
          continue;
        }
        throw err;
      }
      // An answer without credentials that is not a 401: the registry is open (for now); a later 401 still teaches us.
      if (res.status !== 401 && !authorization && req.auth !== false && url.host === this.endpoint.host) this.auth.markOpen();
      if (res.status === 401 && req.auth !== false && url.host === this.endpoint.host && !reauthenticated && replayable) {
        reauthenticated = true;
        // Refresh once, retry once: a second 401 goes back to the caller as UNAUTHORIZED.
        fresh = await this.auth.answer(res, authorization, req.scopes, req.what);
        if (fresh) {
          await discard(res);
          continue;
        }
        return res;
      }
      if (RETRY_STATUSES.has(res.status) && replayable && attempt < retries) {
        const retryAfter = parseRetryAfter(res.headers.get("retry-after"));
        if (retryAfter !== undefined && retryAfter > this.options.maxRetryAfterSeconds) return res;
        await discard(res);
        await sleep(retryAfter !== undefined && retryAfter > 0 ? retryAfter * 1000 : this.backoff(attempt), req.signal);
        attempt++;
        continue;
      }
      return res;
    }
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** attempt);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  /** Streams get the idle timeout; a byte body (a 16 MiB chunk) gets extra time at a modest floor rate. */
  private deadlineMs(req: TransportRequest): number {
    if (req.streamResponse || req.body instanceof ReadableStream) return this.options.idleTimeoutMs;
    return this.options.timeoutMs + Math.ceil((req.body?.byteLength ?? 0) / MIN_UPLOAD_BYTES_PER_SECOND) * 1000;
  }

  /** One attempt: follows redirects itself so Authorization never leaves its own host. */
  private async send(req: TransportRequest, registryAuthorization: string | undefined): Promise<{ res: Response; url: URL }> {
    const ownAuthorization = req.headers?.authorization;
    const authHost = ownAuthorization ? req.url.host : this.endpoint.host;
    const authorization = ownAuthorization ?? registryAuthorization;
    const deadline = new Deadline(this.deadlineMs(req), req.signal);
    let url = req.url;
    let method = req.method;
    let body = req.body;
    try {
      for (let hop = 0; ; hop++) {
        const headers: Record<string, string> = { "user-agent": this.config.userAgent ?? DEFAULT_USER_AGENT };
        for (const [k, v] of Object.entries(req.headers ?? {})) if (k.toLowerCase() !== "authorization") headers[k.toLowerCase()] = v;
        if (authorization && url.host === authHost && (url.protocol === "https:" || allowsPlainHttp(this.endpoint, !!this.config.insecure))) {
          headers.authorization = authorization;
        }
        // A token realm, a redirect or a link on the registry's word: not into private networks (see address.ts).
        if (url.hostname !== this.endpoint.hostname) await this.policy.check(url, req.what, hop > 0 ? "a redirect" : req.auth === false ? "the token realm" : "a link");
        const res = await this.fetchOnce(method, url, headers, body, deadline);
        const location = res.headers.get("location");
        const target = location && REDIRECT_STATUSES.has(res.status) ? safeUrl(location, url) : undefined;
        if (req.followRedirects === false || !target || (req.followRedirects !== true && target.origin !== this.endpoint.origin)) {
          return { res: await this.finishResponse(res, req, url, deadline), url };
        }
        await discard(res);
        if (hop >= this.options.maxRedirects) {
          throw new RegistryError({ context: req.what, codes: ["NETWORK"], method, url, reason: `more than ${this.options.maxRedirects} redirects` });
        }
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
          method = method === "HEAD" ? "HEAD" : "GET";
          body = undefined;
        }
        url = target;
      }
    } catch (e) {
      deadline.clear();
      throw e;
    }
  }

  private async fetchOnce(method: string, url: URL, headers: Record<string, string>, body: TransportRequest["body"], deadline: Deadline): Promise<Response> {
    const init: RequestInit & { duplex?: "half" } = { method, headers, redirect: "manual", signal: deadline.signal };
    if (body instanceof ReadableStream) {
      init.body = watchStream(body, deadline, (e) => e, () => {});
      init.duplex = "half"; // undici refuses a stream body without it
      // undici (Node 20) clones the request unless redirect is "error", and the clone tees the
      // body: the unread branch then holds the whole layer in memory. A stream cannot follow a redirect anyway.
      init.redirect = "error";
    } else if (body) {
      init.body = body as Uint8Array<ArrayBuffer>; // fetch typings want an ArrayBuffer-backed view
    }
    // one bound per host for the whole process, its slots shared fairly between lanes (users)
    const release = await hostLimiter(url.host, this.options.concurrencyPerHost).acquire(currentRegistryLane());
    try {
      return await this.fetchImpl(url, init);
    } finally {
      release();
    }
  }

  /**
   * Small answers are read inside the deadline and under their byte cap (the read stops at the cap);
   * streamed ones get the idle guard. A redirected host's failure keeps its status, never its body.
   */
  private async finishResponse(res: Response, req: TransportRequest, url: URL, deadline: Deadline): Promise<Response> {
    const init = { status: res.status, statusText: res.statusText, headers: res.headers };
    if (req.streamResponse && res.ok && res.body) {
      return new Response(watchStream(res.body, deadline, (e) => this.toError(e, req, url)), init);
    }
    try {
      if (NULL_BODY_STATUSES.has(res.status) || req.method === "HEAD" || (!res.ok && url.origin !== req.url.origin)) {
        await discard(res);
        return new Response(null, init);
      }
      if (!res.ok) return new Response((await readBounded(res.body, this.options.maxErrorBodyBytes, { truncate: true })) as Uint8Array<ArrayBuffer>, init);
      const limit = req.maxBytes ?? this.options.maxResponseBytes;
      try {
        return new Response((await readBodyBounded(res, limit)) as Uint8Array<ArrayBuffer>, init);
      } catch (e) {
        if (!(e instanceof BodyTooLarge)) throw e;
        throw new RegistryError({ context: req.what, codes: ["MALFORMED"], status: res.status, method: req.method, url, reason: `the answer ${e.declared !== undefined ? `declares ${e.declared} bytes, over` : "exceeds"} the ${limit}-byte limit; not read further` });
      }
    } finally {
      deadline.clear();
    }
  }

  private toError(e: unknown, req: TransportRequest, url: URL = req.url): RegistryError {
    if (e instanceof RegistryError) return e;
    const cause = (e as { cause?: unknown } | undefined)?.cause;
    if (cause instanceof RegistryError) return cause; // our own stream's failure, wrapped by undici
    if (req.signal?.aborted) throw req.signal.reason;
    if (e instanceof DeadlineExceeded || cause instanceof DeadlineExceeded) {
      return new RegistryError({ context: req.what, codes: ["TIMEOUT"], method: req.method, url, reason: (e instanceof DeadlineExceeded ? e : (cause as Error)).message, cause: e });
    }
    const reason = describeNetworkError(e);
    if (req.body instanceof ReadableStream && /redirect/i.test(reason)) {
      return new RegistryError({ context: req.what, codes: ["UNSUPPORTED"], method: req.method, url, reason: "the registry redirected a streamed upload, which cannot be replayed", cause: e });
    }
    return new RegistryError({ context: req.what, codes: ["NETWORK"], method: req.method, url, reason, cause: e });
  }
}

function safeUrl(location: string, base: URL): URL | undefined {
  try {
    const url = new URL(location, base);
    return url.protocol === "https:" || url.protocol === "http:" ? url : undefined;
  } catch {
    return undefined;
  }
}

async function discard(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // Nothing to free.
  }
}

function describeNetworkError(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } } | undefined;
  const cause = err?.cause;
  if (cause?.code || cause?.message) return [cause.code, cause.message].filter(Boolean).join(": ");
  return err?.message ?? String(e);
}

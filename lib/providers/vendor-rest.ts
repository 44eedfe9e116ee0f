import "server-only";
// One way to call a vendor REST API (Quay /api/v1, Harbor /api/v2.0, ...): JSON in and out, a
// timeout, the same credential rule as /v2 (https, or plain http only on loopback / insecure),
// and every failure as the RegistryError lib/services already maps to API answers.
import { BodyTooLarge, readBodyBounded, readBounded } from "@/lib/bounded-read";
import { allowsPlainHttp, errorFromResponse, parseRetryAfter, RegistryError, type ErrorCode } from "@/lib/registry";

export interface VendorApi {
  /** the API base, e.g. https://quay.io or https://harbor.example.com/api/v2.0 */
  base: string;
  /** e.g. "Quay API": names the API in error messages */
  name: string;
  insecure: boolean;
  /** the Authorization header value, or undefined for an anonymous call */
  authorization?: () => string | undefined;
  /** turns an error body the vendor's way into a message and a code (default: OCI/Harbor shape) */
  parseError?: (text: string) => { code?: string; message?: string };
  timeoutMs?: number;
  /** extra request headers the vendor asks for (GitHub's X-GitHub-Api-Version) */
  headers?: Record<string, string>;
  /** most bytes of one answer (default 16 MiB); the read stops there */
  maxBytes?: number;
  /** seconds to wait after a 429/503, the vendor's way (default: Retry-After) */
  retryAfter?: (headers: Headers) => number | undefined;
  /** sees the headers of every good answer (rate-limit budget, token expiry) */
  observe?: (headers: Headers) => void;
  /** the vendor's reading of a failed call (GitHub's 403 "rate limit" is a 429); default: as is */
  onError?: (e: RegistryError, method: string, url: URL, what: string) => RegistryError;
}

export interface VendorResponse<T> {
  status: number;
  headers: Headers;
  body: T;
  url: URL;
  /** bytes of the answer, for a listing's byte budget */
  bytes: number;
}

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const ERROR_BODY_BYTES = 64 * 1024;

const STATUS_CODES: Record<number, ErrorCode> = { 401: "UNAUTHORIZED", 403: "DENIED", 404: "NAME_UNKNOWN", 405: "UNSUPPORTED", 429: "TOOMANYREQUESTS" };

/** base + path: the base's own path is kept (`/api/v2.0` + `/projects/x`). */
export function apiUrl(base: string, path: string, query?: Record<string, string | number | boolean | undefined>): URL {
  const url = new URL(base.replace(/\/+$/, "") + path);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== "") url.searchParams.set(k, String(v));
  return url;
}

/** Sends one request; answers outside `ok` (default 2xx) throw a RegistryError with the vendor's message. */
export async function vendorRequest<T = unknown>(api: VendorApi, method: string, url: URL, what: string, opts: RequestOptions = {}): Promise<VendorResponse<T>> {
  try {
    const res = await send<T>(api, method, url, what, opts);
    api.observe?.(res.headers);
    return res;
  } catch (e) {
    throw e instanceof RegistryError && api.onError ? api.onError(e, method, url, what) : e;
  }
}

type RequestOptions = { body?: unknown; ok?: number[] };

async function send<T>(api: VendorApi, method: string, url: URL, what: string, opts: RequestOptions): Promise<VendorResponse<T>> {
  // Every call stays on the API's own origin: a pagination link or cursor elsewhere gets nothing of ours.
  const origin = new URL(api.base).origin;
  if (url.origin !== origin) {
    throw new RegistryError({ context: what, codes: ["DENIED"], method, url, reason: `${url.origin} is not ${api.name} (${origin}); not called` });
  }
  const authorization = api.authorization?.();
  if (authorization && url.protocol === "http:" && !allowsPlainHttp(url, api.insecure)) {
    throw new RegistryError({ context: what, codes: ["UNAUTHORIZED"], method, url, reason: `${api.name} ${url.origin} is not https; refusing to send credentials there` });
  }
  const headers: Record<string, string> = { accept: "application/json", ...api.headers };
  if (authorization) headers.authorization = authorization;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      redirect: "manual",
      signal: AbortSignal.timeout(api.timeoutMs ?? 15_000),
    });
  } catch (e) {
    const timeout = (e as Error)?.name === "TimeoutError";
    throw new RegistryError({ context: what, codes: [timeout ? "TIMEOUT" : "NETWORK"], method, url, reason: timeout ? `${api.name} did not answer in time` : `cannot reach ${api.name} at ${url.origin}: ${((e as Error).cause as Error)?.message ?? (e as Error).message}`, cause: e });
  }
  const ok = opts.ok ? opts.ok.includes(res.status) : res.status >= 200 && res.status < 300;
  if (!ok) throw await vendorError(api, res, method, url, what);
  const limit = api.maxBytes ?? DEFAULT_MAX_BYTES;
  let text = "";
  try {
    text = res.status === 204 || method === "HEAD" ? "" : new TextDecoder().decode(await readBodyBounded(res, limit));
  } catch (e) {
    if (e instanceof BodyTooLarge) throw new RegistryError({ context: what, codes: ["MALFORMED"], status: res.status, method, url, reason: `${api.name}'s answer exceeds the ${limit}-byte limit; not read further` });
    const timeout = (e as Error)?.name === "TimeoutError";
    throw new RegistryError({ context: what, codes: [timeout ? "TIMEOUT" : "NETWORK"], method, url, reason: timeout ? `${api.name} did not answer in time` : `${api.name}'s answer broke off`, cause: e });
  }
  let body: unknown = undefined;
  if (text.trim()) {
    try {
      body = JSON.parse(text);
    } catch {
      throw new RegistryError({ context: what, codes: ["MALFORMED"], status: res.status, method, url, reason: `${api.name} answered with something that is not JSON` });
    }
  }
  return { status: res.status, headers: res.headers, body: body as T, url, bytes: text.length };
}

async function vendorError(api: VendorApi, res: Response, method: string, url: URL, what: string): Promise<RegistryError> {
  if (!api.parseError) return errorFromResponse(res, { what, method, url });
  const text = new TextDecoder().decode(await readBounded(res.body, ERROR_BODY_BYTES, { truncate: true }).catch(() => new Uint8Array(0)));
  const parsed = api.parseError(text);
  const code = parsed.code ?? STATUS_CODES[res.status];
  return new RegistryError({
    context: what,
    codes: code ? [code] : [],
    status: res.status,
    method,
    url,
    registryMessage: parsed.message,
    reason: `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`,
    retryAfter: res.status === 429 || res.status === 503 ? (api.retryAfter ? api.retryAfter(res.headers) : parseRetryAfter(res.headers.get("retry-after"))) : undefined,
  });
}

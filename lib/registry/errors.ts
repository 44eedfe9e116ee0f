// The one error type of lib/registry (after ggcr transport/error.go and regclient types/errs).

/** Error codes of the OCI distribution-spec ("Error Codes"). */
export const OCI_ERROR_CODES = [
  "BLOB_UNKNOWN",
  "BLOB_UPLOAD_INVALID",
  "BLOB_UPLOAD_UNKNOWN",
  "DIGEST_INVALID",
  "MANIFEST_BLOB_UNKNOWN",
  "MANIFEST_INVALID",
  "MANIFEST_UNKNOWN",
  "NAME_INVALID",
  "NAME_UNKNOWN",
  "SIZE_INVALID",
  "UNAUTHORIZED",
  "DENIED",
  "UNSUPPORTED",
  "TOOMANYREQUESTS",
] as const;
export type OciErrorCode = (typeof OCI_ERROR_CODES)[number];
/** Failures found by this client rather than reported by a registry. */
export type ClientErrorCode = "NETWORK" | "TIMEOUT" | "DIGEST_MISMATCH" | "MALFORMED";
/** Vendor codes (ECR TAG_INVALID, Quay TAG_IMMUTABLE, ...) pass through as plain strings. */
export type ErrorCode = OciErrorCode | ClientErrorCode | (string & {});

export interface RegistryErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

export interface RegistryErrorInit {
  /** What was being done, e.g. "listing tags of 127.0.0.1:5000/acme/api". */
  context: string;
  codes: ErrorCode[];
  method: string;
  url: string | URL;
  status?: number;
  registryMessage?: string;
  /** Our own description when the registry gave none (e.g. "HTTP 502 Bad Gateway", "socket closed"). */
  reason?: string;
  retryAfter?: number;
  errors?: RegistryErrorEntry[];
  cause?: unknown;
}

export class RegistryError extends Error {
  override readonly name = "RegistryError";
  readonly codes: ErrorCode[];
  readonly status?: number;
  readonly method: string;
  /** The request URL without user info and with query values other than paging/digest redacted. */
  readonly url: string;
  readonly registryMessage?: string;
  /** Seconds the registry asked us to wait (Retry-After), when it did. */
  readonly retryAfter?: number;
  readonly errors: RegistryErrorEntry[];

  constructor(init: RegistryErrorInit) {
    super(formatMessage(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.codes = init.codes;
    this.status = init.status;
    this.method = init.method;
    this.url = sanitizeUrl(init.url);
    this.registryMessage = init.registryMessage;
    this.retryAfter = init.retryAfter;
    this.errors = init.errors ?? [];
  }

  hasCode(code: ErrorCode): boolean {
    return this.codes.includes(code);
  }

  /** Worth retrying later: throttled, server-side failure, network trouble or timeout. */
  isTemporary(): boolean {
    if (this.status !== undefined && (this.status === 429 || this.status >= 500)) return true;
    return this.codes.some((c) => c === "NETWORK" || c === "TIMEOUT" || c === "TOOMANYREQUESTS");
  }
}

export function isRegistryError(e: unknown): e is RegistryError {
  return e instanceof RegistryError;
}

function formatMessage(init: RegistryErrorInit): string {
  const what = init.codes.length > 0 ? init.codes.join(", ") : "HTTP";
  const status = init.status === undefined ? "" : ` (${init.status})`;
  const text = init.registryMessage ?? init.reason;
  const wait = init.retryAfter === undefined ? "" : ` (retry after ${init.retryAfter} s)`;
  return `${init.context}: ${what}${status}${text ? `: ${text}` : ""}${wait}`;
}

/** Query parameters that carry no secret and help when reading an error. */
const SAFE_QUERY_KEYS = new Set(["n", "last", "digest", "mount", "from", "artifactType", "service", "scope", "tag"]);

/** Drops user info and fragments and redacts query values (presigned signatures, upload state). */
export function sanitizeUrl(url: string | URL): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    return "<invalid url>";
  }
  u.username = "";
  u.password = "";
  u.hash = "";
  const parts: string[] = [];
  for (const [key, value] of u.searchParams) {
    parts.push(`${encodeURIComponent(key)}=${SAFE_QUERY_KEYS.has(key) ? encodeURIComponent(value) : "REDACTED"}`);
  }
  u.search = parts.length > 0 ? `?${parts.join("&")}` : "";
  return u.toString();
}

/** Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

export interface RequestContext {
  what: string;
  method: string;
  url: string | URL;
  /** Code to report for a 404 whose body names none (HEAD answers have no body). */
  notFound?: ErrorCode;
}

const STATUS_CODES: Record<number, ErrorCode> = {
  401: "UNAUTHORIZED",
  403: "DENIED",
  405: "UNSUPPORTED",
  429: "TOOMANYREQUESTS",
};
const MAX_ERROR_BODY = 64 * 1024;

/** Returns res when its status is one of okStatuses; otherwise reads the error body and throws. */
export async function checkResponse(res: Response, context: RequestContext, ...okStatuses: number[]): Promise<Response> {
  if (okStatuses.includes(res.status)) return res;
  throw await errorFromResponse(res, context);
}

export async function errorFromResponse(res: Response, context: RequestContext): Promise<RegistryError> {
  const text = context.method === "HEAD" ? "" : await readLimited(res, MAX_ERROR_BODY);
  const parsed = parseErrorBody(text);
  let codes: ErrorCode[] = parsed.errors.map((e) => e.code).filter((c) => c !== "");
  if (codes.length === 0) {
    const fallback = res.status === 404 ? context.notFound : STATUS_CODES[res.status];
    if (fallback) codes = [fallback];
  }
  const retryAfter = res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers.get("retry-after")) : undefined;
  return new RegistryError({
    context: context.what,
    codes,
    status: res.status,
    method: context.method,
    url: context.url,
    registryMessage: parsed.message,
    reason: `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`,
    retryAfter,
    errors: parsed.errors,
  });
}

async function readLimited(res: Response, limit: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A broken error body still leaves the status to report.
  } finally {
    reader.cancel().catch(() => {});
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit));
}

/** `{errors:[{code,message,detail}]}`, else a vendor `{message|error|details}`, else short plain text. */
export function parseErrorBody(text: string): { errors: RegistryErrorEntry[]; message?: string } {
  const trimmed = text.trim();
  if (trimmed === "") return { errors: [] };
  try {
    const body = JSON.parse(trimmed) as unknown;
    if (typeof body === "object" && body !== null) {
      const doc = body as Record<string, unknown>;
      if (Array.isArray(doc.errors)) {
        const errors: RegistryErrorEntry[] = doc.errors
          .filter((e): e is Record<string, unknown> => typeof e === "object" && e !== null)
          .map((e) => ({
            code: typeof e.code === "string" ? e.code.toUpperCase() : "",
            message: typeof e.message === "string" ? e.message : undefined,
            detail: e.detail,
          }));
        const messages = errors.map((e) => e.message).filter((m): m is string => !!m);
        return { errors, message: messages.length > 0 ? clip(messages.join("; ")) : undefined };
      }
      for (const key of ["message", "error", "details", "error_description"]) {
        if (typeof doc[key] === "string" && doc[key] !== "") return { errors: [], message: clip(doc[key] as string) };
      }
    }
    return { errors: [] };
  } catch {
    // Docker Hub's pull-limit page, proxies and S3 answer in text, HTML or XML.
    if (/^<(!doctype|html)/i.test(trimmed)) return { errors: [] };
    return { errors: [], message: clip(trimmed.replace(/\s+/g, " ")) };
  }
}

function clip(s: string): string {
  return s.length > 300 ? `${s.slice(0, 297)}...` : s;
}

// One error shape for every JSON answer: { error: { code, message, details? } }. Use cases throw
// DomainError (lib/errors.ts, no HTTP); ApiError is for what only HTTP knows (a registry's 429/502).
import { ZodError } from "zod";
import { DomainError, invalidInput, type ErrorCode } from "@/lib/errors";
import { errFields, log } from "@/lib/observability/log";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The status of each domain error (lib/errors.ts): the one place an error code becomes HTTP. */
export const API_STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, LOCKED: 409,
  PAYLOAD_TOO_LARGE: 413, INVALID_INPUT: 422, UNSUPPORTED: 422, CREDENTIALS_REQUIRED: 422,
  PUBLISH_NOT_CONFIRMED: 409,
};

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function zodToApiError(err: ZodError): ApiError {
  return domainToApiError(invalidInput(err.issues.map((i) => ({ field: i.path.join("."), message: i.message }))));
}

export function domainToApiError(e: DomainError): ApiError {
  return new ApiError(API_STATUS[e.code], e.code, e.message, e.details);
}

/** Errors from lib/registry, in the API's shape: bad references are the caller's, the rest the registry's. */
export function registryToApiError(err: unknown): ApiError | null {
  const e = err as { name?: string; field?: string; message?: string; status?: number; codes?: string[]; registryMessage?: string; retryAfter?: number };
  if (e?.name === "InvalidReferenceError") {
    return new ApiError(422, "INVALID_INPUT", e.message!, { issues: [{ field: e.field, message: e.message }] });
  }
  if (e?.name !== "RegistryError") return null;
  const code = e.codes?.[0] ?? "REGISTRY_ERROR";
  if (code === "NAME_UNKNOWN" || code === "MANIFEST_UNKNOWN" || (e.status === 404 && !e.codes?.length)) {
    return new ApiError(404, code, e.message!, { registryCode: code, registryMessage: e.registryMessage });
  }
  const retry = e.status === 429 || code === "TOOMANYREQUESTS";
  return new ApiError(
    retry ? 429 : 502,
    code,
    e.message!,
    { registryStatus: e.status, registryCode: code, registryMessage: e.registryMessage, retryAfter: e.retryAfter },
    retry && e.retryAfter ? { "retry-after": String(e.retryAfter) } : undefined,
  );
}

/** Any error as the API's JSON answer; one that is not the caller's or the registry's is logged with an id and said vaguely. */
export function errorJson(err: unknown, requestId?: string | null): Response {
  const e = err instanceof ZodError ? zodToApiError(err) : err instanceof DomainError ? domainToApiError(err) : err instanceof ApiError ? err : registryToApiError(err);
  if (e) {
    return Response.json({ error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } } satisfies ErrorBody, { status: e.status, headers: e.headers });
  }
  const id = requestId && /^[A-Za-z0-9._:-]{1,128}$/.test(requestId) ? requestId : crypto.randomUUID();
  log.error({ requestId: id, ...errFields(err) }, "request failed");
  return Response.json({ error: { code: "INTERNAL", message: `something went wrong on the server (request id ${id})` } } satisfies ErrorBody, { status: 500 });
}

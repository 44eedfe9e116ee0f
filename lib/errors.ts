// What went wrong, as the use cases say it: a stable code, a message for people, and details;
// no HTTP. The services, lib/auth and the routes throw these; lib/api/errors.ts turns each code into
// its status (API_STATUS) and the API's one error shape. Pure: safe anywhere.
export type ErrorCode =
  | "BAD_REQUEST" | "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "LOCKED"
  | "PAYLOAD_TOO_LARGE" | "INVALID_INPUT" | "UNSUPPORTED" | "CREDENTIALS_REQUIRED"
  /** a promotion would publish a private image and the caller did not confirm it */
  | "PUBLISH_NOT_CONFIRMED";

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const badRequest = (message: string, details?: unknown) => new DomainError("BAD_REQUEST", message, details);
export const unauthorized = (message = "sign in, or send an API token as Authorization: Bearer rgt_…") => new DomainError("UNAUTHENTICATED", message);
export const forbidden = (message: string) => new DomainError("FORBIDDEN", message);
export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} not found`);
export const conflict = (message: string, details?: unknown) => new DomainError("CONFLICT", message, details);
/** The thing asked for waits on a lock someone else holds (a promotion to the same tag). */
export const locked = (message: string) => new DomainError("LOCKED", message);
export const tooLarge = (message: string) => new DomainError("PAYLOAD_TOO_LARGE", message);
/** The registry (or its kind) cannot do this. */
export const unsupported = (message: string) => new DomainError("UNSUPPORTED", message);
/** Input that is well-formed but wrong, field by field (the same shape as a schema's refusal). */
export const invalidInput = (issues: { field: string; message: string }[]) => {
  const first = issues[0];
  const message = first ? (first.field && !first.message.includes(first.field) ? `${first.field}: ${first.message}` : first.message) : "invalid input";
  return new DomainError("INVALID_INPUT", message, { issues });
};

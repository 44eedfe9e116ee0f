// The request body of a JSON API call, bounded. Framework-free: Next's route handlers read it from
// the request's stream (lib/auth/guard.ts re-exports these), and the server of `npm start` hands its
// own routes the bytes it read already (scripts/lib/server.ts, app/api/v1/machine-routes.ts).
import { badRequest, tooLarge } from "@/lib/errors";
import { BodyTooLarge, requestBodyBounded } from "@/lib/bounded-read";

/** The most bytes of a JSON request body; webhooks keep their own limit (lib/services/webhooks.ts). */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/**
 * A request body of at most MAX_JSON_BODY_BYTES, or a 413 (tooLarge) with the read stopped at the
 * limit. `read`: the bytes the server read already (it stops reading just past its own limit).
 */
export async function readRequestBounded(req: Request, read?: Uint8Array): Promise<Uint8Array> {
  try {
    return await requestBodyBounded(req, MAX_JSON_BODY_BYTES, read);
  } catch (e) {
    if (e instanceof BodyTooLarge) throw tooLarge(`the request body may be at most ${MAX_JSON_BODY_BYTES} bytes`);
    throw e;
  }
}

/**
 * Reads a JSON body of at most MAX_JSON_BODY_BYTES: a larger one (declared or streamed) is a 413
 * before anything is parsed, the read stopping at the limit; a body that is not JSON is a 400.
 */
export async function readJson(req: Request, read?: Uint8Array): Promise<unknown> {
  const text = new TextDecoder().decode(await readRequestBounded(req, read));
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("the request body is not valid JSON");
  }
}

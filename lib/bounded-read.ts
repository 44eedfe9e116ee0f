// The one bounded read: a body is taken chunk by chunk and the read stops (the stream is
// cancelled, the socket let go) the moment it passes its cap, so a 256 MB or endless answer
// costs at most the cap in memory. Registry answers, vendor REST answers, token answers and
// request bodies of every route use it. Framework-free: lib/registry, lib/auth and scripts share it.

/** Thrown when a body passes its cap; `read` is how far it got (just past the cap). */
export class BodyTooLarge extends Error {
  override readonly name = "BodyTooLarge";
  constructor(
    readonly limit: number,
    readonly declared?: number,
  ) {
    super(declared !== undefined ? `the body declares ${declared} bytes, over the ${limit}-byte limit` : `the body exceeds the ${limit}-byte limit`);
  }
}

/** A Content-Length over the limit is refused before a byte is read. */
export function checkDeclaredLength(headers: Headers, limit: number): void {
  const raw = headers.get("content-length");
  if (raw === null || !/^\d+$/.test(raw.trim())) return;
  const declared = Number(raw.trim());
  if (declared > limit) throw new BodyTooLarge(limit, declared);
}

/**
 * Reads at most `limit` bytes of a stream; one byte more cancels the stream and throws BodyTooLarge
 * (or, with truncate, returns the first `limit` bytes: enough of an error body to quote).
 */
export async function readBounded(body: ReadableStream<Uint8Array> | null | undefined, limit: number, opts: { truncate?: boolean } = {}): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.byteLength > limit) {
        if (!opts.truncate) throw new BodyTooLarge(limit);
        chunks.push(value.subarray(0, limit - size));
        size = limit;
        reader.cancel().catch(() => {});
        break;
      }
      size += value.byteLength;
      chunks.push(value);
    }
  } catch (e) {
    reader.cancel(e).catch(() => {});
    throw e;
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** A Response's (or Request's) body, bounded: its Content-Length first, then the bytes as they come. */
export async function readBodyBounded(message: { headers: Headers; body: ReadableStream<Uint8Array> | null }, limit: number): Promise<Uint8Array> {
  try {
    checkDeclaredLength(message.headers, limit);
  } catch (e) {
    message.body?.cancel().catch(() => {});
    throw e;
  }
  return readBounded(message.body, limit);
}

/**
 * A request's body, bounded, for a route that may get it read already: the server of `npm start`
 * reads the bodies of its own routes (scripts/lib/server.ts) and stops just past its own cap, so the
 * declared length and the bytes given are checked against the route's limit here.
 */
export async function requestBodyBounded(req: Request, limit: number, read?: Uint8Array): Promise<Uint8Array> {
  if (!read) return readBodyBounded(req, limit);
  checkDeclaredLength(req.headers, limit);
  if (read.byteLength > limit) throw new BodyTooLarge(limit);
  return read;
}

/** The same as text (UTF-8, replacement characters for bad bytes). */
export async function readTextBounded(message: { headers: Headers; body: ReadableStream<Uint8Array> | null }, limit: number): Promise<string> {
  return new TextDecoder().decode(await readBodyBounded(message, limit));
}

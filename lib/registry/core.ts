// What the client's method modules (manifests, blobs, referrers) share: one request path that
// ends in checkResponse, and the names used in error messages.
import { checkResponse, type ErrorCode } from "./errors";
import { isDigest } from "./reference";
import type { Transport, TransportOptions, TransportRequest } from "./transport";

export interface CallRequest extends Omit<TransportRequest, "url"> {
  /** Absolute URL, or a path such as "/v2/acme/api/tags/list" resolved against the endpoint. */
  url: URL | string;
  /** Error code for a bodiless 404 (HEAD). */
  notFound?: ErrorCode;
}

export interface ClientCore {
  readonly endpoint: URL;
  /** host[:port], as used in references and messages. */
  readonly registry: string;
  readonly transport: Transport;
  readonly options: Readonly<TransportOptions>;
}

export function resolveUrl(core: ClientCore, url: URL | string): URL {
  return url instanceof URL ? url : new URL(url, core.endpoint);
}

/** Sends through the transport; any status outside ok becomes a RegistryError. */
export async function call(core: ClientCore, req: CallRequest, ...ok: number[]): Promise<Response> {
  const url = resolveUrl(core, req.url);
  const res = await core.transport.request({ ...req, url });
  return checkResponse(res, { what: req.what, method: req.method, url, notFound: req.notFound }, ...ok);
}

/** "127.0.0.1:5000/acme/api:1.0" or "...@sha256:..." for messages. */
export function describeRef(core: ClientCore, repository: string, reference?: string): string {
  if (reference === undefined) return `${core.registry}/${repository}`;
  return `${core.registry}/${repository}${isDigest(reference) ? "@" : ":"}${reference}`;
}

import type { NextRequest } from "next/server";
import { errorJson } from "@/lib/api/errors";
import { handlers } from "@/lib/auth/auth";
import { publicOrigin } from "@/lib/auth/client-address";
import { readRequestBounded } from "@/lib/auth/guard";

// Next hands route handlers a URL of its own making (the hostname and port it was started with).
// Auth.js builds the OIDC callback (redirect_uri) and its redirects from that URL unless AUTH_URL is
// set, so the request is moved to the public origin first: AUTH_URL, else the host and scheme the
// server of `npm start` vouches for (lib/auth/client-address.ts). A plain Request, not a NextRequest: that
// one would rewrite 127.0.0.1 to "localhost", and the IdP compares redirect_uri byte for byte.
function onPublicOrigin(req: NextRequest, body?: Uint8Array): NextRequest {
  const url = new URL(req.url);
  const origin = publicOrigin(req.headers, req.url);
  if (url.origin === origin && body === undefined) return req;
  const init: RequestInit & { duplex?: "half" } = {
    method: req.method,
    headers: req.headers,
    body: body === undefined ? req.body : (body as Uint8Array<ArrayBuffer>),
    duplex: "half",
    signal: req.signal,
  };
  // Auth.js reads only url, method, headers and body
  return new Request(`${origin}${url.pathname}${url.search}`, init) as NextRequest;
}

export const GET = (req: NextRequest) => handlers.GET(onPublicOrigin(req));

/** Sign-in and sign-out forms: the body is read under the same 1 MiB cap as every route before Auth.js parses it. */
export async function POST(req: NextRequest): Promise<Response> {
  let body: Uint8Array;
  try {
    body = await readRequestBounded(req);
  } catch (e) {
    return errorJson(e);
  }
  return handlers.POST(onPublicOrigin(req, body));
}

import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/auth";
import { publicOrigin } from "@/lib/auth/client-address";

// Next hands route handlers a URL on its own loopback port (behind npm start's front server).
// Auth.js builds the OIDC callback (redirect_uri) and its redirects from that URL unless AUTH_URL is
// set, so the request is moved to the public origin first: AUTH_URL, else the host and scheme the
// front server vouches for (lib/auth/client-address.ts). A plain Request, not a NextRequest: that
// one would rewrite 127.0.0.1 to "localhost", and the IdP compares redirect_uri byte for byte.
function onPublicOrigin(req: NextRequest): NextRequest {
  const url = new URL(req.url);
  const origin = publicOrigin(req.headers, req.url);
  if (url.origin === origin) return req;
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers: req.headers, body: req.body, duplex: "half", signal: req.signal };
  // Auth.js reads only url, method, headers and body
  return new Request(`${origin}${url.pathname}${url.search}`, init) as NextRequest;
}

export const GET = (req: NextRequest) => handlers.GET(onPublicOrigin(req));
export const POST = (req: NextRequest) => handlers.POST(onPublicOrigin(req));

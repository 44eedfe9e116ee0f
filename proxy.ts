// Next's proxy (formerly middleware): every page answer gets a Content-Security-Policy with a fresh
// script nonce (lib/api/csp.ts). Next reads the nonce from the request's CSP header and puts it on
// the scripts it writes into the page. Pages are rendered per request (app/layout.tsx reads it).
import { NextResponse, type NextRequest } from "next/server";
import { newNonce, pageCsp } from "@/lib/api/csp";

export function proxy(request: NextRequest) {
  const nonce = newNonce();
  const csp = pageCsp(nonce, process.env.NODE_ENV === "development");
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

export const config = {
  // pages only: the API and static files carry the fixed policy of next.config.js
  matcher: [{ source: "/((?!api/|_next/static|_next/image|favicon.ico).*)" }],
};

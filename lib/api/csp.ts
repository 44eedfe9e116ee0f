// The Content-Security-Policy of Regatta's pages: scripts only with this answer's nonce (Next puts
// it on its own bootstrap scripts when it finds it in the request's CSP header), no 'unsafe-inline'
// for scripts. Styles keep 'unsafe-inline' (style attributes, e.g. the virtualised tag table).
// Answers that are not pages (the API, the front server's own) carry the fixed policy in
// lib/api/security-headers.json. Framework-free: used by proxy.ts.

/** A fresh nonce: 16 random bytes, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

export function pageCsp(nonce: string, dev = false): string {
  return [
    "default-src 'self'",
    // 'strict-dynamic': scripts the nonced bootstrap loads are trusted; 'self' for old browsers.
    // `next dev` needs eval for React's debugging and a websocket for hot reload.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    // no form-action: signing in with single sign-on is a form whose answer redirects to the IdP
  ].join("; ");
}

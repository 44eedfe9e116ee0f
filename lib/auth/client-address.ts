// Who is on the other end of a request, and which origin they reached: the one answer for sign-in
// limits, audit `sourceAddress`, webhooks and the Origin (CSRF) check.
//
// Forwarded headers (X-Forwarded-For/-Host/-Proto/-Port) are believed only when the socket's peer is
// a configured proxy (REGATTA_TRUSTED_PROXIES: comma-separated addresses or CIDRs; default none).
// The server of `npm start` (scripts/lib/server.ts) is the only way into Next, which runs in its
// process: it applies this rule to the socket and *overwrites* the X-Forwarded-* headers of every
// request before Next (or its own machine routes) sees them, so inside Next these headers are the
// server's word, never the client's. No framework imports: the server uses this file too.
import net from "node:net";

let cached: { raw: string; list: net.BlockList; error?: string } | undefined;

function normalise(address: string): string {
  const a = address.trim().replace(/^\[|\]$/g, "");
  // IPv4 seen through an IPv6 socket
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return mapped ? mapped[1]! : a;
}

/** Parses REGATTA_TRUSTED_PROXIES ("10.0.0.0/8, 192.168.1.4, fd00::/8"); throws on a bad entry. */
export function parseTrustedProxies(raw: string): net.BlockList {
  const list = new net.BlockList();
  for (const entry of raw.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [addr, bits, extra] = entry.split("/");
    const ip = normalise(addr ?? "");
    const family = net.isIPv4(ip) ? "ipv4" : net.isIPv6(ip) ? "ipv6" : null;
    if (!family || extra !== undefined) throw new Error(`REGATTA_TRUSTED_PROXIES: "${entry}" is not an address or CIDR`);
    if (bits === undefined) {
      list.addAddress(ip, family);
      continue;
    }
    const prefix = Number(bits);
    if (!/^\d{1,3}$/.test(bits) || prefix > (family === "ipv4" ? 32 : 128)) throw new Error(`REGATTA_TRUSTED_PROXIES: "${entry}" has a bad prefix length`);
    list.addSubnet(ip, prefix, family);
  }
  return list;
}

function trustedProxies(): net.BlockList {
  const raw = process.env.REGATTA_TRUSTED_PROXIES ?? "";
  if (cached?.raw !== raw) {
    try {
      cached = { raw, list: parseTrustedProxies(raw) };
    } catch (err) {
      // a typo must not make every address trusted, nor take the server down: trust nobody, say so
      cached = { raw, list: new net.BlockList(), error: (err as Error).message };
      console.error(`[regatta] ${cached.error}; no proxy is trusted`);
    }
  }
  return cached.list;
}

/** Whether `address` (a socket's peer) is one of REGATTA_TRUSTED_PROXIES. */
export function isTrustedProxy(address: string | undefined | null, list = trustedProxies()): boolean {
  if (!address) return false;
  const ip = normalise(address);
  const family = net.isIPv4(ip) ? "ipv4" : net.isIPv6(ip) ? "ipv6" : null;
  return !!family && list.check(ip, family);
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.split(",")[0]?.trim() || undefined;

/**
 * The client's address for a connection from `peer` carrying `xForwardedFor`: the peer itself unless
 * it is a trusted proxy; then the right-most X-Forwarded-For entry that is not a trusted proxy
 * (entries left of it were written by the client and prove nothing).
 */
export function resolveClientAddress(peer: string | undefined | null, xForwardedFor: string | string[] | undefined, list = trustedProxies()): string | null {
  if (!peer) return null;
  let current = normalise(peer);
  if (!isTrustedProxy(current, list)) return current;
  const hops = (Array.isArray(xForwardedFor) ? xForwardedFor.join(",") : xForwardedFor ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  // bounded: a header is at most a few KB, and we stop at the first untrusted hop
  for (let i = hops.length - 1; i >= 0 && i >= hops.length - 32; i--) {
    const hop = normalise(hops[i]!);
    if (!net.isIP(hop)) return current;
    current = hop;
    if (!isTrustedProxy(hop, list)) return hop;
  }
  return current;
}

export interface ForwardedSocket {
  remoteAddress?: string;
  encrypted?: boolean;
}

/**
 * The X-Forwarded-* headers the server of `npm start` hands to Next (and to its own routes), replacing any
 * the client sent: a client's own are kept only when its socket peer is a trusted proxy.
 * X-Forwarded-For becomes the one resolved client address.
 */
export function forwardedHeaders(headers: Record<string, string | string[] | undefined>, socket: ForwardedSocket, publicPort: number): Record<string, string> {
  const trusted = isTrustedProxy(socket.remoteAddress);
  const host = first(headers.host) ?? "";
  const ownProto = socket.encrypted ? "https" : "http";
  const proto = trusted ? first(headers["x-forwarded-proto"]) : undefined;
  return {
    "x-forwarded-for": resolveClientAddress(socket.remoteAddress, headers["x-forwarded-for"]) ?? "",
    "x-forwarded-host": (trusted && first(headers["x-forwarded-host"])) || host,
    "x-forwarded-port": (trusted && first(headers["x-forwarded-port"])) || String(publicPort),
    "x-forwarded-proto": proto === "https" || proto === "http" ? proto : ownProto,
  };
}

/**
 * The caller's address, inside Next or a machine route: X-Forwarded-For as the server wrote it
 * (one address; the right-most entry should a chain ever reach here). Null when unknown.
 */
export function clientAddress(headers: Headers): string | null {
  const hops = headers.get("x-forwarded-for")?.split(",").map((s) => s.trim()).filter(Boolean) ?? [];
  const last = hops.at(-1);
  return last && net.isIP(normalise(last)) ? normalise(last) : null;
}

/**
 * The origin the caller reached (scheme://host[:port]): AUTH_URL when set, else the forwarded
 * host and scheme the server of `npm start` wrote (never Next's internal loopback port).
 */
export function publicOrigin(headers: Headers, fallbackUrl?: string): string {
  const env = process.env.AUTH_URL ?? process.env.NEXTAUTH_URL;
  if (env) {
    try {
      return new URL(env).origin;
    } catch { /* fall through to the request */ }
  }
  const fallback = fallbackUrl ? new URL(fallbackUrl) : undefined;
  const host = headers.get("x-forwarded-host")?.split(",")[0]?.trim() || headers.get("host") || fallback?.host || "localhost";
  const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim() || fallback?.protocol.replace(":", "") || "http";
  try {
    return new URL(`${proto === "https" ? "https" : "http"}://${host}`).origin;
  } catch {
    return fallback?.origin ?? "http://localhost";
  }
}

/** The host (host[:port]) the caller reached, for the Origin check. */
export function publicHost(headers: Headers): string {
  return new URL(publicOrigin(headers)).host;
}

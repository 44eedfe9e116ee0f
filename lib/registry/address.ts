// Where a registry may send us: token realms and followed redirects may not lead into loopback,
// private or link-local networks (cloud metadata at 169.254.169.254, services beside Regatta)
// unless the registry itself lives in that same kind of network.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { RegistryError } from "./errors";

export type AddressClass = "loopback" | "private" | "link-local" | "public";

/** Resolves a host name to its addresses (injectable for tests). */
export type Resolver = (hostname: string) => Promise<string[]>;

export const systemResolver: Resolver = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

function v4(ip: string): number[] | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  const n = parts.map(Number);
  return n.every((x) => Number.isInteger(x) && x >= 0 && x <= 255) ? n : undefined;
}

function classifyV4([a, b]: number[]): AddressClass {
  if (a === 127 || a === 0) return "loopback"; // 0.0.0.0 reaches this host
  if (a === 169 && b === 254) return "link-local";
  if (a === 10 || (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168)) return "private";
  if (a === 100 && b! >= 64 && b! <= 127) return "private"; // carrier-grade NAT
  if ((a === 198 && (b === 18 || b === 19)) || (a === 192 && b === 0) || a! >= 224) return "private"; // benchmarking, IETF, multicast, reserved
  return "public";
}

/** The kind of network an IP address literal belongs to. */
export function classifyAddress(ip: string): AddressClass {
  const plain = ip.replace(/^\[|\]$/g, "").toLowerCase().replace(/%.*$/, "");
  const four = v4(plain);
  if (four) return classifyV4(four);
  if (isIP(plain) !== 6) return "public";
  const mapped = /^(?:0*:)*:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(plain)?.[1] ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(plain)?.[1];
  if (mapped && v4(mapped)) return classifyV4(v4(mapped)!);
  if (plain === "::1" || plain === "::") return "loopback";
  const first = Number.parseInt(plain.split(":")[0] || "0", 16);
  if ((first & 0xffc0) === 0xfe80) return "link-local";
  if ((first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfec0 || (first & 0xff00) === 0xff00) return "private"; // ULA, site-local, multicast
  return "public";
}

/** The classes of every address a host name (or literal) stands for; [] when it does not resolve. */
export async function classifyHost(hostname: string, resolve: Resolver = systemResolver): Promise<AddressClass[]> {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (isIP(h)) return [classifyAddress(h)];
  if (h === "localhost" || h.endsWith(".localhost")) return ["loopback"];
  let addresses: string[];
  try {
    addresses = await resolve(h);
  } catch {
    return []; // the request itself will fail with the resolver's error
  }
  return [...new Set(addresses.map(classifyAddress))];
}

/** Decides, per registry endpoint, whether another host may be contacted on the registry's word. */
export class AddressPolicy {
  private endpointClasses?: Promise<AddressClass[]>;
  private readonly cache = new Map<string, { at: number; classes: Promise<AddressClass[]> }>();

  constructor(
    private readonly endpoint: URL,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  /**
   * Throws unless `target` is the registry's own host, or every address of it is public, or it sits in
   * the same kind of network as the registry (a loopback test registry may use a loopback token server).
   */
  async check(target: URL, context: string, why: string): Promise<void> {
    if (target.hostname === this.endpoint.hostname) return;
    const classes = await this.classes(target.hostname);
    if (classes.every((c) => c === "public")) return;
    this.endpointClasses ??= classifyHost(this.endpoint.hostname, this.resolve);
    const own = await this.endpointClasses;
    if (classes.every((c) => c === "public" || own.includes(c))) return;
    const where = classes.find((c) => c !== "public" && !own.includes(c));
    throw new RegistryError({
      context,
      codes: ["DENIED"],
      method: "GET",
      url: target,
      reason: `${why} points at ${target.host}, a ${where} address, while the registry ${this.endpoint.host} is not in such a network; refused`,
    });
  }

  private classes(hostname: string): Promise<AddressClass[]> {
    const now = Date.now();
    const hit = this.cache.get(hostname);
    if (hit && now - hit.at < 60_000) return hit.classes;
    if (this.cache.size > 256) this.cache.clear();
    const classes = classifyHost(hostname, this.resolve);
    this.cache.set(hostname, { at: now, classes });
    return classes;
  }
}

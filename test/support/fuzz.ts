// A small seeded generator of hostile input for the API fuzz run: the same seed gives the same
// inputs, so a failure prints the seed and the input number that reproduce it.

/** mulberry32: a fast 32-bit seeded PRNG. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
export type Rng = ReturnType<typeof rng>;

const hex = (r: Rng, n: number) => Array.from({ length: n }, () => "0123456789abcdef"[r.int(16)]).join("");
const lower = (r: Rng, n: number) => Array.from({ length: n }, () => "abcdefghijklmnopqrstuvwxyz0123456789"[r.int(36)]).join("");
const anyChar = (r: Rng) => {
  const pools = [
    () => String.fromCharCode(32 + r.int(95)),
    () => String.fromCharCode(r.int(32)),
    () => String.fromCharCode(0x80 + r.int(0x780)),
    () => String.fromCharCode(0xd800 + r.int(0x800)), // lone surrogates
    () => String.fromCodePoint(0x1f300 + r.int(0x300)),
    () => r.pick(["\u0000", "\u202e", "\u2028", "\ufeff", "İ", "ß", "/", "%", "\\", "\"", "'", "<", ">", "*", "?", "[", "{", ":", "@", "#"]),
  ];
  return r.pick(pools)();
};

/** Names, tags, digests, URLs and plain nastiness, as strings. */
export function fuzzString(r: Rng): string {
  switch (r.int(9)) {
    case 0: // repository-like
      return Array.from({ length: 1 + r.int(4) }, () => lower(r, 1 + r.int(8)) + r.pick(["", "-x", "__y", ".z", "--", "_", "."])).join(r.pick(["/", "/", "//", "\\", "%2F"]));
    case 1: // tag-like, around the 128 limit
      return r.pick(["v1", "latest", "-bad", ".bad", "*-*-*-rc", "1.4.*", "a".repeat(128), "a".repeat(129), "v1\u0000", "v 1", "tag:with:colons", "*".repeat(50) + "x"]);
    case 2: // digest-like
      return r.pick([`sha256:${hex(r, 64)}`, `sha256:${hex(r, 63)}`, `sha256:${hex(r, 65)}`, `sha512:${hex(r, 128)}`, `SHA256:${hex(r, 64).toUpperCase()}`, `sha256:${"g".repeat(64)}`, "md5:abc", "sha256:", `sha256:${hex(r, 64)}@sha256:${hex(r, 64)}`]);
    case 3: // URLs
      return r.pick([
        "http://127.0.0.1:1", "https://[::1]:5000", "http://169.254.169.254/latest/meta-data", "http://10.0.0.1", "file:///etc/passwd",
        "javascript:alert(1)", "http://user:pw@example.com", "http://example.com/?q=1#f", `http://${"a".repeat(300)}.com`, "http://%zz",
        "http://0x7f.1", "https://registry.example.com/", "http://[fe80::1%25eth0]/", "ftp://x", "//evil.example", "http:///", "https://ex ample.com",
      ]);
    case 4: // long
      return r.pick(["a", "/", "é", "%", "a/"]).repeat(r.pick([255, 256, 1000, 4096, 70_000]));
    case 5: // injection-ish and edge words
      return r.pick(["", " ", "\t\n", "null", "undefined", "__proto__", "constructor", "prototype", "../../etc/passwd", "%2e%2e%2f", "<script>alert(1)</script>", "' OR 1=1 --", "${jndi:ldap://x}", "{{7*7}}", "0", "-1", "NaN", "true", "[]", "{}"]);
    case 6: // uuids and near-uuids
      return r.pick([crypto.randomUUID(), "00000000-0000-0000-0000-000000000000", crypto.randomUUID().toUpperCase(), crypto.randomUUID() + "x", crypto.randomUUID().slice(1), "not-a-uuid"]);
    case 7: // dates
      return r.pick(["2026-01-01", "2026-13-45", "0000-00-00T00:00:00Z", "9999-12-31T23:59:59Z", "-271821-04-20T00:00:00Z", "1e309", "yesterday", String(Date.now())]);
    default: // random characters
      return Array.from({ length: r.int(40) }, () => anyChar(r)).join("");
  }
}

/** Any JSON value: strings above, numbers at the edges, nested shapes. */
export function fuzzValue(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 3 ? 5 : 7)) {
    case 0: case 1: return fuzzString(r);
    case 2: return r.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, -0, 4294967296, 100, 1000, 1001]);
    case 3: return r.pick([true, false]);
    case 4: return null;
    case 5: // long lists hold strings only, short ones anything: the size stays bounded
      return r.chance(0.2)
        ? Array.from({ length: r.pick([201, 5000]) }, () => r.pick(["v1", "a", "", "\u0000", "*"]))
        : Array.from({ length: r.int(4) }, () => fuzzValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: r.int(4) }, () => [r.pick(["__proto__", "constructor", "a", "name", "", fuzzString(r)]), fuzzValue(r, depth + 1)]));
  }
}

/** A valid-looking body with its leaves swapped, keys dropped or added: passes the outer shape checks, trips the inner ones. */
export function mutate(r: Rng, v: unknown, depth = 0): unknown {
  if (r.chance(depth === 0 ? 0.05 : 0.25)) return fuzzValue(r, depth);
  if (Array.isArray(v)) return v.map((x) => mutate(r, x, depth + 1));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!r.chance(0.1)) out[k] = mutate(r, x, depth + 1);
    if (r.chance(0.1)) out[r.pick(["extra", "__proto__", "id", fuzzString(r)])] = fuzzValue(r, depth + 1);
    return out;
  }
  return r.chance(0.3) ? fuzzValue(r, depth) : v;
}

/** Bodies that are not what a JSON parser hopes for. */
export function rawBody(r: Rng): string {
  return r.pick([
    "{nope", "", "null", "[]", "\"str\"", "123", "{\"a\":1}garbage", "\uFEFF{}", "{\"__proto__\":{\"admin\":true}}",
    "[".repeat(5000) + "]".repeat(5000), "{\"a\":".repeat(3000) + "1" + "}".repeat(3000),
    JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) }), "{\"a\":\"\\ud800\"}", "{\"a\":\"\\u0000\"}",
  ]);
}

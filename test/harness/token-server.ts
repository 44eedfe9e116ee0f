// A Docker-style token server (the flow Docker Hub, GHCR, GitLab, Quay use) for registry 2.8:
// GET realm?service=…&scope=… with Basic credentials (or POST grant_type=password) → RS256 JWT
// whose header carries the libtrust-style `kid` that distribution 2.8 needs to find the key.
import crypto, { type KeyObject } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

// ---- minimal DER writer, enough for one self-signed X.509 v3 certificate ----
function derLen(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const der = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLen(body.length), body]);
};
const seq = (...p: Buffer[]) => der(0x30, ...p);
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const out = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return der(0x06, Buffer.from(out));
}
const utcTime = (d: Date) => der(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z"));
const name = (cn: string) => seq(der(0x31, seq(oid("2.5.4.3"), der(0x0c, Buffer.from(cn)))));

/** Self-signed RSA certificate (PEM) for the registry's `auth.token.rootcertbundle`. */
export function selfSignedCertPem(privateKey: KeyObject, publicKey: KeyObject, cn: string): string {
  const sigAlg = seq(oid("1.2.840.113549.1.1.11"), Buffer.from([0x05, 0x00])); // sha256WithRSA
  const serial = crypto.randomBytes(8);
  serial[0] = (serial[0] & 0x7f) | 0x40; // positive and minimally encoded (Go is strict)
  const now = Date.now();
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))), // version v3
    der(0x02, serial),
    sigAlg,
    name(cn),
    seq(utcTime(new Date(now - 86_400_000)), utcTime(new Date(now + 5 * 365 * 86_400_000))),
    name(cn),
    publicKey.export({ type: "spki", format: "der" }),
  );
  const sig = crypto.sign("sha256", tbs, privateKey);
  const cert = seq(tbs, sigAlg, der(0x03, Buffer.concat([Buffer.from([0]), sig])));
  const b64 = cert.toString("base64").replace(/.{64}/g, "$&\n").trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** libtrust key id: base32 (no padding) of the first 30 bytes of SHA-256(DER SPKI), 12×4 chars. */
export function libtrustKid(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: "spki", format: "der" });
  const bytes = crypto.createHash("sha256").update(spki).digest().subarray(0, 30);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0, out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) { out += alphabet[(value >>> (bits - 5)) & 31]; bits -= 5; }
  }
  return out.match(/.{4}/g)!.join(":");
}

export interface SigningKey { privateKey: KeyObject; kid: string; certPem: string }

export function newSigningKey(): SigningKey {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const certPem = selfSignedCertPem(privateKey, publicKey, "regatta-test-token-issuer");
  return { privateKey, kid: libtrustKid(publicKey), certPem };
}

export interface TokenAccess { type: string; name: string; actions: string[] }
export interface TokenLogEntry { user: string | null; scopes: string[]; status: number; access: TokenAccess[] }

export interface TokenServerOptions {
  service: string;
  issuer: string;
  users: Record<string, string>;
  ttlSeconds?: number;
  /** Anonymous callers may pull (like public repositories). Default true. */
  anonymousPull?: boolean;
}

export interface TokenServer {
  /** The realm, e.g. http://127.0.0.1:PORT/token */
  url: string;
  readonly requests: number;
  readonly log: TokenLogEntry[];
  readonly key: SigningKey;
  setTtl(seconds: number): void;
  /** Switch to a new signing key (the registry must be restarted to trust it). */
  rotateKey(): SigningKey;
  stop(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");
const REPO_ACTIONS = ["pull", "push", "delete", "*"];

function parseScope(scope: string): TokenAccess | null {
  const first = scope.indexOf(":");
  const last = scope.lastIndexOf(":");
  if (first < 0 || last === first) return null;
  const actions = scope.slice(last + 1).split(",").filter(Boolean);
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions };
}

export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  let key = newSigningKey();
  let ttl = opts.ttlSeconds ?? 300;
  let requests = 0;
  const log: TokenLogEntry[] = [];
  const anonymousPull = opts.anonymousPull ?? true;

  const grant = (user: string | null, want: TokenAccess): TokenAccess => {
    let actions: string[] = [];
    if (want.type === "repository") {
      if (user) actions = want.actions.filter((a) => REPO_ACTIONS.includes(a));
      else if (anonymousPull) actions = want.actions.filter((a) => a === "pull");
    } else if (want.type === "registry" && want.name === "catalog" && user) {
      actions = want.actions.filter((a) => a === "*");
    }
    return { ...want, actions };
  };

  const sign = (user: string | null, access: TokenAccess[]) => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: "JWT", alg: "RS256", kid: key.kid };
    const claims = {
      iss: opts.issuer, sub: user ?? "", aud: opts.service,
      exp: now + ttl, nbf: now - 1, iat: now, jti: crypto.randomUUID(), access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = crypto.sign("sha256", Buffer.from(input), key.privateKey);
    return { token: `${input}.${b64url(sig)}`, issuedAt: new Date(now * 1000).toISOString() };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests++;
      const url = new URL(req.url ?? "/", "http://x");
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      if (url.pathname !== "/token") return send(404, { errors: [{ code: "NOT_FOUND" }] });
      let scopes = url.searchParams.getAll("scope");
      let creds: [string, string] | null = null;
      if (req.method === "POST") {
        const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
        if (form.get("grant_type") !== "password") {
          return send(400, { error: "unsupported_grant_type" });
        }
        creds = [form.get("username") ?? "", form.get("password") ?? ""];
        scopes = (form.get("scope") ?? "").split(" ");
      } else {
        const m = /^Basic\s+(\S+)/i.exec(req.headers.authorization ?? "");
        if (m) {
          const decoded = Buffer.from(m[1], "base64").toString("utf8");
          const i = decoded.indexOf(":");
          creds = [decoded.slice(0, i), decoded.slice(i + 1)];
        }
      }
      const wanted = scopes.flatMap((s) => s.split(" ")).filter(Boolean)
        .map(parseScope).filter((a): a is TokenAccess => a !== null);
      let user: string | null = null;
      if (creds) {
        if (!(creds[0] in opts.users) || opts.users[creds[0]] !== creds[1]) {
          log.push({ user: creds[0], scopes, status: 401, access: [] });
          return send(401, { errors: [{ code: "UNAUTHORIZED", message: "invalid username or password" }] },
            { "www-authenticate": 'Basic realm="regatta-test-token"' });
        }
        user = creds[0];
      }
      const access = wanted.map((w) => grant(user, w));
      log.push({ user, scopes, status: 200, access });
      const { token, issuedAt } = sign(user, access);
      send(200, { token, access_token: token, expires_in: ttl, issued_at: issuedAt });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/token`,
    get requests() { return requests; },
    get log() { return log; },
    get key() { return key; },
    setTtl(seconds: number) { ttl = seconds; },
    rotateKey() { key = newSigningKey(); return key; },
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

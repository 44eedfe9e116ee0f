// A loopback Google Artifact Registry: an OAuth 2.0 token endpoint for service-account JWT
// assertions (RS256, checked with the key's public half), the Artifact Registry REST API
// (dockerImages list with pageToken/nextPageToken, packages.tags.delete, Google error bodies), and
// /v2 as a real registry:2 in token mode whose token server accepts only user oauth2accesstoken
// with the current, unexpired access token (or _json_key with the key itself). The clock is the stand-in's
// own (`advance`), so tests can let an access token's hour pass.
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startRegistry, type RunningRegistry } from "../registry";
import { imageSize, removeStoredTag, storedManifest, storedRepositories, storedTags } from "./storage";

export const GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token";
const ACCESS_TOKEN_SECONDS = 3599;

export type GoogleRole = "none" | "reader" | "writer" | "repoAdmin";
const PERMISSIONS: Record<GoogleRole, string[]> = {
  none: [],
  reader: ["artifactregistry.dockerimages.list"],
  writer: ["artifactregistry.dockerimages.list", "artifactregistry.tags.create"],
  repoAdmin: ["artifactregistry.dockerimages.list", "artifactregistry.tags.create", "artifactregistry.tags.delete"],
};

export interface ServiceAccount { email: string; keyJson: string; role: GoogleRole; publicKey: crypto.KeyObject }

export interface GoogleStandIn {
  project: string;
  location: string;
  /** the /v2 registry (LOCATION-docker.pkg.dev at Google) */
  registry: RunningRegistry;
  url: string;
  /** the REST API base (https://artifactregistry.googleapis.com at Google) */
  apiUrl: string;
  /** the OAuth token endpoint written into keys as token_uri */
  tokenUri: string;
  /** token exchanges answered, in order */
  readonly exchanges: { email: string; status: number; error?: string }[];
  /** REST calls answered */
  readonly apiCalls: { method: string; path: string; status: number }[];
  now(): number;
  advance(ms: number): void;
  /** a new service account and its JSON key (as the Cloud console downloads it) */
  createServiceAccount(name: string, role?: GoogleRole): ServiceAccount;
  createRepository(repository: string): void;
  /** The current access token (issuing one when none is valid), for test-side clients. */
  accessToken(): string;
  /** A RunningRegistry view with oauth2accesstoken + the current token, for skopeo. */
  asRegistry(): RunningRegistry;
  stop(): Promise<void>;
}

const listen = async (server: http.Server) => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
};

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startGoogle(opts: { project?: string; location?: string } = {}): Promise<GoogleStandIn> {
  const project = opts.project ?? "regatta-test";
  const location = opts.location ?? "us";
  const accounts = new Map<string, ServiceAccount>();
  const tokens = new Map<string, { email: string; expiresAt: number }>();
  const repositories = new Set<string>();
  const exchanges: GoogleStandIn["exchanges"] = [];
  const apiCalls: GoogleStandIn["apiCalls"] = [];
  let offset = 0;
  const now = () => Date.now() + offset;
  let latest: string | undefined;
  let jsonKeyOf: string | undefined;

  const valid = (token: string | undefined) => {
    const t = token ? tokens.get(token) : undefined;
    return t && now() < t.expiresAt ? t : undefined;
  };
  // Google hands the same access token to repeated exchanges while it has a while to live (with
  // expires_in = what is left), so every client of one account holds the one current token
  const current = new Map<string, string>();
  const issue = (email: string): { token: string; expiresIn: number } => {
    const held = current.get(email);
    const left = held ? tokens.get(held)!.expiresAt - now() : 0;
    if (held && left > 10 * 60_000) {
      latest = held;
      return { token: held, expiresIn: Math.floor(left / 1000) };
    }
    const token = `ya29.${crypto.randomBytes(32).toString("base64url")}`;
    tokens.set(token, { email, expiresAt: now() + ACCESS_TOKEN_SECONDS * 1000 });
    current.set(email, token);
    latest = token;
    return { token, expiresIn: ACCESS_TOKEN_SECONDS };
  };

  // registry:2 token server users: the current access token only; _json_key the first key handed out
  const users: Record<string, string> = {};
  const never = crypto.randomBytes(16).toString("hex");
  Object.defineProperty(users, "oauth2accesstoken", { enumerable: true, get: () => (valid(latest) ? latest : never) });
  Object.defineProperty(users, "_json_key", { enumerable: true, get: () => jsonKeyOf ?? never });
  const registry = await startRegistry({ mode: "token", name: "google-backing", users, anonymousPull: false });

  const googleError = (res: http.ServerResponse, code: number, status: string, message: string) => {
    res.writeHead(code, { "content-type": "application/json; charset=UTF-8" });
    res.end(JSON.stringify({ error: { code, message, status } }));
  };

  // ---- OAuth 2.0: POST /token, grant_type jwt-bearer (developers.google.com/identity/protocols/oauth2/service-account#httprest) ----
  const oauth = http.createServer(async (req, res) => {
    const form = new URLSearchParams(await readBody(req));
    const reply = (status: number, body: Record<string, unknown>, email = "") => {
      exchanges.push({ email, status, ...(typeof body.error === "string" ? { error: body.error } : {}) });
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "POST" || new URL(req.url ?? "/", "http://x").pathname !== "/token") return reply(404, { error: "not_found" });
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") return reply(400, { error: "unsupported_grant_type", error_description: "Invalid grant_type: " + form.get("grant_type") });
    const parts = (form.get("assertion") ?? "").split(".");
    if (parts.length !== 3) return reply(400, { error: "invalid_request", error_description: "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe." });
    let header: any, claims: any;
    try {
      header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
      claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    } catch {
      return reply(400, { error: "invalid_grant", error_description: "Invalid JWT." });
    }
    const account = accounts.get(claims.iss);
    if (!account) return reply(400, { error: "invalid_grant", error_description: "Invalid grant: account not found" }, String(claims.iss));
    const signed = header.alg === "RS256" && crypto.verify("sha256", Buffer.from(`${parts[0]}.${parts[1]}`), account.publicKey, Buffer.from(parts[2], "base64url"));
    if (!signed) return reply(400, { error: "invalid_grant", error_description: "Invalid JWT Signature." }, account.email);
    const t = Math.floor(Date.now() / 1000);
    if (claims.aud !== GOOGLE_TOKEN_AUDIENCE || !(claims.exp > t) || claims.exp - claims.iat > 3600 || claims.iat > t + 300) {
      return reply(400, { error: "invalid_grant", error_description: "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim." }, account.email);
    }
    if (!String(claims.scope ?? "").split(" ").includes("https://www.googleapis.com/auth/cloud-platform")) {
      return reply(400, { error: "invalid_scope", error_description: "Invalid OAuth scope or ID token audience provided." }, account.email);
    }
    const { token, expiresIn } = issue(account.email);
    reply(200, { access_token: token, expires_in: expiresIn, token_type: "Bearer" }, account.email);
  });

  // ---- Artifact Registry REST v1 ----
  const imagesOf = (repo: string) => {
    const prefix = `${project}/${repo}/`;
    return storedRepositories(registry.dataDir).filter((r) => r.startsWith(prefix)).flatMap((path) => {
      const byDigest = new Map<string, { tags: string[]; updated: Date }>();
      for (const t of storedTags(registry.dataDir, path)) {
        const e = byDigest.get(t.digest) ?? { tags: [], updated: t.updatedAt };
        e.tags.push(t.tag);
        if (t.updatedAt > e.updated) e.updated = t.updatedAt;
        byDigest.set(t.digest, e);
      }
      const image = path.slice(prefix.length);
      return [...byDigest].flatMap(([digest, e]) => {
        const m = storedManifest(registry.dataDir, path, digest);
        if (!m) return [];
        return [{
          name: `projects/${project}/locations/${location}/repositories/${repo}/dockerImages/${encodeURIComponent(image)}@${digest}`,
          uri: `${location}-docker.pkg.dev/${project}/${repo}/${image}@${digest}`,
          tags: e.tags,
          imageSizeBytes: String(imageSize(registry.dataDir, path, m)),
          uploadTime: m.uploadedAt.toISOString(),
          mediaType: m.mediaType,
          updateTime: e.updated.toISOString(),
        }];
      });
    }).sort((a, b) => a.name.localeCompare(b.name));
  };

  const api = http.createServer(async (req, res) => {
    await readBody(req);
    const url = new URL(req.url ?? "/", "http://x");
    const done = (status: number) => apiCalls.push({ method: req.method ?? "", path: url.pathname, status });
    const fail = (code: number, status: string, message: string) => { done(code); googleError(res, code, status, message); };
    const bearer = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ""))?.[1];
    const who = valid(bearer);
    if (!who) return fail(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.");
    const role = accounts.get(who.email)?.role ?? "none";
    const m = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/]+)\/(dockerImages|packages\/([^/]+)\/tags\/([^/]+))$/.exec(url.pathname);
    if (!m) return fail(404, "NOT_FOUND", "Requested entity was not found.");
    const [, p, l, r] = m;
    const resource = `projects/${p}/locations/${l}/repositories/${r}`;
    const permission = req.method === "GET" ? "artifactregistry.dockerimages.list" : "artifactregistry.tags.delete";
    if (!PERMISSIONS[role].includes(permission)) return fail(403, "PERMISSION_DENIED", `Permission '${permission}' denied on resource '${resource}' (or it may not exist).`);
    if (p !== project || l !== location || !repositories.has(r)) return fail(404, "NOT_FOUND", `Requested entity was not found.`);
    if (req.method === "GET" && m[4] === "dockerImages") {
      const pageSize = Number(url.searchParams.get("pageSize") ?? 100);
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) return fail(400, "INVALID_ARGUMENT", "Maximum page size is 1,000");
      const images = imagesOf(r);
      const token = url.searchParams.get("pageToken");
      const start = token ? Number(Buffer.from(token, "base64url").toString("utf8")) : 0;
      if (!Number.isInteger(start) || start < 0) return fail(400, "INVALID_ARGUMENT", "Invalid page token.");
      const slice = images.slice(start, start + pageSize);
      done(200);
      res.writeHead(200, { "content-type": "application/json; charset=UTF-8" });
      return res.end(JSON.stringify({ dockerImages: slice, ...(start + pageSize < images.length ? { nextPageToken: Buffer.from(String(start + pageSize)).toString("base64url") } : {}) }));
    }
    if (req.method === "DELETE" && m[5]) {
      const image = decodeURIComponent(m[5]);
      if (!removeStoredTag(registry.dataDir, `${project}/${r}/${image}`, decodeURIComponent(m[6]))) return fail(404, "NOT_FOUND", `Requested entity was not found.`);
      done(200);
      res.writeHead(200, { "content-type": "application/json; charset=UTF-8" });
      return res.end("{}");
    }
    return fail(404, "NOT_FOUND", "Requested entity was not found.");
  });

  const oauthPort = await listen(oauth);
  const apiPort = await listen(api);
  const tokenUri = `http://127.0.0.1:${oauthPort}/token`;

  const accessToken = () => (valid(latest) ? latest! : issue([...accounts.keys()][0] ?? "harness@local").token);
  return {
    project, location, registry, exchanges, apiCalls, tokenUri,
    url: registry.url,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    now,
    advance(ms) { offset += ms; },
    createServiceAccount(name, role = "repoAdmin") {
      const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
      const email = `${name}@${project}.iam.gserviceaccount.com`;
      const keyJson = JSON.stringify({
        type: "service_account",
        project_id: project,
        private_key_id: crypto.randomBytes(20).toString("hex"),
        private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        client_email: email,
        client_id: String(100000000000000000000n + BigInt(accounts.size)),
        auth_uri: "https://accounts.google.com/o/oauth2/auth",
        token_uri: tokenUri,
        auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
        client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}`,
        universe_domain: "googleapis.com",
      }, null, 2);
      const account = { email, keyJson, role, publicKey };
      accounts.set(email, account);
      jsonKeyOf ??= keyJson;
      return account;
    },
    createRepository(repository) { repositories.add(repository); },
    accessToken,
    asRegistry() {
      return { ...registry, username: "oauth2accesstoken", password: accessToken() };
    },
    async stop() {
      for (const s of [oauth, api]) { s.closeAllConnections(); await new Promise<void>((r) => s.close(() => r())); }
      await registry.stop();
    },
  };
}

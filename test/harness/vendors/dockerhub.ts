// A loopback Docker Hub: three servers in front of one real registry:2 in token mode, answering as
// Docker documents them (REGISTRIES.md §3.1).
//   auth   ("auth.docker.io")  GET /token?service=registry.docker.io&scope=… with Basic user:PAT.
//          Checks the Hub user and the PAT's access level, then asks the real token server for
//          the reduced scopes (read: pull; write: pull,push; delete: pull,push,delete; only the
//          user's own namespace and orgs for push/delete; never registry:catalog:*), so the token
//          the real registry checks carries exactly what Docker Hub would grant.
//   v2     ("registry-1.docker.io") a proxy to the real registry that points the challenge at the
//          auth server, adds `ratelimit-limit: 100;w=21600`, `ratelimit-remaining`,
//          `docker-ratelimit-source` to manifest answers, counts manifest GETs as pulls (HEAD does
//          not count), and answers 429 TOOMANYREQUESTS with Docker's body (and Retry-After) when the
//          budget is spent or when told to.
//   hub    ("hub.docker.com") the REST API: POST /v2/auth/token, GET /v2/namespaces/{ns}/repositories,
//          GET /v2/namespaces/{ns}/repositories/{repo}/tags (Django-style pages with `next` URLs),
//          DELETE /v2/repositories/{ns}/{repo}/tags/{tag}/ (untags only that tag). Answers are
//          computed from the real registry (catalog, tags, manifests, and the push time of each tag
//          as the registry's storage recorded it), so browsing through /v2 and the API agree.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { MANIFEST_ACCEPT } from "../http";
import type { RunningRegistry } from "../registry";

export type PatAccess = "read" | "write" | "delete";

export interface HubUser {
  password: string;
  /** PAT → access level ("Read", "Read & Write", "Read, Write, Delete") */
  pats?: Record<string, PatAccess>;
  /** organisations the user may push into besides their own namespace */
  orgs?: string[];
}

export interface DockerHubOptions {
  /** a registry started with startRegistry({ mode: "token" }) */
  registry: RunningRegistry;
  users: Record<string, HubUser>;
  /** the pull budget per source; null: no ratelimit headers (a paid plan) */
  pullLimit?: { limit: number; windowSeconds: number } | null;
  /** repositories ("ns/name") whose is_private is true; the others are public, as a push creates them by default */
  privateRepositories?: string[];
  /** who the API names as last pusher of tags pushed behind the stand-in's back */
  seedPusher?: string;
}

export interface HubRequest { method: string; path: string; status: number; auth: boolean }

export interface DockerHubStandIn {
  /** the Hub REST API base (the "Hub API" endpoint) */
  hubUrl: string;
  /** the /v2 base (the registry endpoint) */
  registryUrl: string;
  authUrl: string;
  /** a RunningRegistry-shaped handle for skopeo and the harness helpers, as this Hub user */
  as(username: string, secret: string): RunningRegistry;
  /** requests the Hub API answered */
  readonly hubLog: HubRequest[];
  /** logins (POST /v2/auth/token) answered 200 */
  readonly logins: number;
  /** manifest GETs counted so far, per source */
  pulls(source: string): number;
  setPullLimit(limit: { limit: number; windowSeconds: number } | null): void;
  /** the budget is spent: manifest GETs answer 429 (Docker's pull-limit body, Retry-After), HEADs show 0 left, until cleared with null */
  force429(opts: { retryAfterSeconds: number } | null): void;
  /**
   * Tag deletes answer 403 with this detail until cleared with null: Hub has refused
   * DELETE /v2/repositories/…/tags/…/ for PAT sign-ins; the body it sends then is not documented
   * (the call itself is not in docker/docs content/reference/api/hub/latest.yaml), so the test picks it.
   */
  refuseTagDelete(detail: string | null): void;
  /** the Hub API answers 429 with X-Retry-After (a unix time) until cleared with null */
  forceApi429(opts: { retryAfterSeconds: number } | null): void;
  stop(): Promise<void>;
}

const HUB_SERVICE = "registry.docker.io";
const PULL_LIMIT_BODY = JSON.stringify({
  errors: [{ code: "TOOMANYREQUESTS", message: "You have reached your pull rate limit as 'alice': dckr_jti_stand-in. You may increase the limit by upgrading. https://www.docker.com/increase-rate-limit" }],
});
const ACTIONS: Record<PatAccess, string[]> = { read: ["pull"], write: ["pull", "push"], delete: ["pull", "push", "delete"] };
const MANIFEST_PATH = /^\/v2\/(.+)\/manifests\/([^/]+)$/;

const b64url = (v: string | Buffer) => Buffer.from(v).toString("base64url");

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function basicCreds(header: string | undefined): [string, string] | null {
  const m = /^Basic\s+(\S+)/i.exec(header ?? "");
  if (!m) return null;
  const s = Buffer.from(m[1], "base64").toString("utf8");
  const i = s.indexOf(":");
  return i < 0 ? null : [s.slice(0, i), s.slice(i + 1)];
}

export async function startDockerHub(opts: DockerHubOptions): Promise<DockerHubStandIn> {
  const backing = opts.registry;
  if (!backing.tokenServer || !backing.username || !backing.password) throw new Error("the Docker Hub stand-in needs a token-mode registry");
  const backingCreds = `Basic ${Buffer.from(`${backing.username}:${backing.password}`).toString("base64")}`;
  const jwtSecret = crypto.randomBytes(32);
  const hubLog: HubRequest[] = [];
  let logins = 0;
  let pullLimit = opts.pullLimit === undefined ? { limit: 100, windowSeconds: 21600 } : opts.pullLimit;
  let forced: { retryAfterSeconds: number } | null = null;
  let forcedApi: { retryAfterSeconds: number } | null = null;
  let refusedDelete: string | null = null;
  const budgets = new Map<string, { used: number; since: number }>();
  /** registry token → Hub user */
  const tokenUsers = new Map<string, string>();
  /** "repo:tag" → Hub user who last pushed it through the stand-in */
  const pushers = new Map<string, string>();

  /** Access level of a secret for a user: the password is full access, a PAT its level. */
  const access = (user: string, secret: string): PatAccess | null => {
    const u = opts.users[user];
    if (!u) return null;
    if (u.password === secret) return "delete";
    return u.pats?.[secret] ?? null;
  };

  // ---- auth ("auth.docker.io") ----
  const auth = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const send = (status: number, body: unknown) => { res.writeHead(status, { "content-type": "application/json" }); res.end(JSON.stringify(body)); };
    if (url.pathname !== "/token") return send(404, { details: "not found" });
    const creds = basicCreds(req.headers.authorization);
    let user: string | null = null;
    let level: PatAccess = "read";
    if (creds) {
      const a = access(creds[0], creds[1]);
      // auth.docker.io's own words for a wrong user or token
      if (!a) return send(401, { details: "incorrect username or password" });
      user = creds[0];
      level = a;
    }
    const own = user ? [user, ...(opts.users[user].orgs ?? [])] : [];
    const scopes = url.searchParams.getAll("scope").flatMap((s) => s.split(" ")).filter(Boolean).flatMap((s) => {
      const first = s.indexOf(":");
      const last = s.lastIndexOf(":");
      if (!s.startsWith("repository:") || last === first) return []; // no registry:catalog:* on Docker Hub
      const name = s.slice(first + 1, last);
      const mayWrite = own.includes(name.split("/")[0]);
      const allowed = s.slice(last + 1).split(",").filter((a) => (user ? ACTIONS[level] : ["pull"]).includes(a) && (a === "pull" || mayWrite));
      return allowed.length ? [`repository:${name}:${allowed.join(",")}`] : [`repository:${name}:`];
    });
    const upstream = new URL(backing.tokenServer!.url);
    upstream.searchParams.set("service", backing.tokenServer!.service);
    for (const s of scopes) if (!s.endsWith(":")) upstream.searchParams.append("scope", s);
    const r = await fetch(upstream, { headers: user ? { authorization: backingCreds } : {} });
    const body = (await r.json()) as { token?: string };
    if (r.status === 200 && body.token && user) tokenUsers.set(body.token, user);
    send(r.status, body);
  });
  const authUrl = await listen(auth);

  // ---- storage and registry reads for the Hub API ----
  const backingToken = async (scopes: string[]) => {
    const u = new URL(backing.tokenServer!.url);
    u.searchParams.set("service", backing.tokenServer!.service);
    for (const s of scopes) u.searchParams.append("scope", s);
    const r = await fetch(u, { headers: { authorization: backingCreds } });
    return ((await r.json()) as { token: string }).token;
  };
  const backingGet = async (p: string, scopes: string[], init: RequestInit = {}) =>
    fetch(`${backing.url}${p}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${await backingToken(scopes)}` } });
  const repoDir = (repo: string) => path.join(backing.dataDir, "docker", "registry", "v2", "repositories", repo);
  const tagLink = (repo: string, tag: string) => path.join(repoDir(repo), "_manifests", "tags", tag, "current", "link");

  const catalog = async (): Promise<string[]> => {
    const out: string[] = [];
    let next: string | null = "/v2/_catalog?n=1000";
    while (next) {
      const r = await backingGet(next, ["registry:catalog:*"]);
      if (r.status !== 200) throw new Error(`catalog of the backing registry: ${r.status} ${await r.text()}`);
      out.push(...(((await r.json()) as { repositories?: string[] }).repositories ?? []));
      next = /<([^>]+)>;\s*rel="next"/.exec(r.headers.get("link") ?? "")?.[1] ?? null;
    }
    return out;
  };

  interface Manifest { mediaType?: string; layers?: { size: number }[]; manifests?: { digest: string; size: number; platform?: { os: string; architecture: string; variant?: string } }[] }
  const manifestOf = async (repo: string, ref: string): Promise<{ digest: string; json: Manifest } | null> => {
    const r = await backingGet(`/v2/${repo}/manifests/${ref}`, [`repository:${repo}:pull`], { headers: { accept: MANIFEST_ACCEPT } });
    if (r.status !== 200) { await r.arrayBuffer(); return null; }
    return { digest: r.headers.get("docker-content-digest")!, json: (await r.json()) as Manifest };
  };

  const tagInfo = async (repo: string, tag: string) => {
    const m = await manifestOf(repo, tag);
    if (!m) return null;
    let pushed: string | null = null;
    try { pushed = fs.statSync(tagLink(repo, tag)).mtime.toISOString(); } catch { /* written elsewhere */ }
    const images: { architecture?: string; os?: string; variant?: string; digest: string; size: number; status: string; last_pushed: string | null }[] = [];
    let fullSize = 0;
    if (m.json.manifests) {
      for (const child of m.json.manifests) {
        const c = await manifestOf(repo, child.digest);
        const size = (c?.json.layers ?? []).reduce((s, l) => s + l.size, 0);
        if (!fullSize) fullSize = size;
        images.push({ architecture: child.platform?.architecture, os: child.platform?.os, variant: child.platform?.variant, digest: child.digest, size, status: "active", last_pushed: pushed });
      }
    } else {
      fullSize = (m.json.layers ?? []).reduce((s, l) => s + l.size, 0);
      images.push({ digest: m.digest, size: fullSize, status: "active", last_pushed: pushed });
    }
    const pusher = pushers.get(`${repo}:${tag}`) ?? opts.seedPusher ?? Object.keys(opts.users)[0];
    return {
      creator: 1, id: Math.abs(crypto.createHash("sha1").update(`${repo}:${tag}`).digest().readInt32BE(0)), images,
      last_updated: pushed, last_updater: 1, last_updater_username: pusher, name: tag, repository: 1,
      full_size: fullSize, v2: true, tag_status: "active", tag_last_pulled: null, tag_last_pushed: pushed,
      media_type: m.json.mediaType ?? null, content_type: "image", digest: m.digest,
    };
  };

  // ---- hub ("hub.docker.com") ----
  const signJwt = (sub: string, level: PatAccess) => {
    const now = Math.floor(Date.now() / 1000);
    const input = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify({ sub, username: sub, scope: level, iat: now, exp: now + 600, jti: crypto.randomUUID() }))}`;
    return `${input}.${b64url(crypto.createHmac("sha256", jwtSecret).update(input).digest())}`;
  };
  const verifyJwt = (token: string): { sub: string; scope: PatAccess } | null => {
    const [h, p, s] = token.split(".");
    if (!s || b64url(crypto.createHmac("sha256", jwtSecret).update(`${h}.${p}`).digest()) !== s) return null;
    const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as { sub: string; scope: PatAccess; exp: number };
    return claims.exp * 1000 > Date.now() ? claims : null;
  };

  let hubUrl = "";
  const pageOf = <T,>(all: T[], url: URL, defaultSize = 10) => {
    const page = Math.max(1, Number(url.searchParams.get("page") ?? 1) || 1);
    const size = Math.min(100, Math.max(1, Number(url.searchParams.get("page_size") ?? defaultSize) || defaultSize));
    const link = (p: number) => { const u = new URL(url.pathname + url.search, hubUrl); u.searchParams.set("page", String(p)); u.searchParams.set("page_size", String(size)); return u.href; };
    return {
      count: all.length,
      next: page * size < all.length ? link(page + 1) : null,
      previous: page > 1 ? link(page - 1) : null,
      results: all.slice((page - 1) * size, page * size),
    };
  };

  const hub = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const method = req.method ?? "GET";
    const bearer = /^(?:Bearer|JWT)\s+(\S+)/i.exec(req.headers.authorization ?? "")?.[1];
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      hubLog.push({ method, path: url.pathname + url.search, status, auth: !!bearer });
      const reset = Math.ceil(Date.now() / 1000) + 60;
      res.writeHead(status, { "content-type": "application/json", "x-ratelimit-limit": "180", "x-ratelimit-remaining": "179", "x-ratelimit-reset": String(reset), ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    try {
      const body = await readBody(req);
      if (forcedApi) {
        return send(429, { detail: "Rate limit exceeded", error: false }, { "x-retry-after": String(Math.ceil(Date.now() / 1000) + forcedApi.retryAfterSeconds), "x-ratelimit-remaining": "0" });
      }
      if (method === "POST" && url.pathname === "/v2/auth/token") {
        let b: { identifier?: unknown; secret?: unknown } = {};
        try { b = JSON.parse(body.toString("utf8")); } catch { /* below */ }
        if (typeof b.identifier !== "string" || typeof b.secret !== "string") return send(400, { fields: { identifier: ["This field is required."], secret: ["This field is required."] }, text: "identifier and secret are required" });
        const level = access(b.identifier, b.secret);
        if (!level) return send(401, { detail: "Incorrect authentication credentials", message: "Incorrect authentication credentials" });
        logins++;
        return send(200, { access_token: signJwt(b.identifier, level) });
      }
      let caller: { sub: string; scope: PatAccess } | null = null;
      if (bearer) {
        caller = verifyJwt(bearer);
        if (!caller) return send(401, { detail: "Authentication credentials were not provided or are invalid", message: "Unauthorized" });
      }
      const known = (ns: string) => ns === "library" || ns in opts.users || Object.values(opts.users).some((u) => u.orgs?.includes(ns));
      let m = /^\/v2\/namespaces\/([^/]+)\/repositories\/?$/.exec(url.pathname);
      if (m && method === "GET") {
        const ns = decodeURIComponent(m[1]);
        if (!known(ns)) return send(404, { detail: "Not found." });
        const filter = url.searchParams.get("name")?.toLowerCase();
        const names = (await catalog()).filter((r) => r.startsWith(`${ns}/`) && !r.slice(ns.length + 1).includes("/"))
          .map((r) => r.slice(ns.length + 1)).filter((n) => !filter || n.toLowerCase().includes(filter)).sort();
        const results = names.map((name) => ({ name, namespace: ns, repository_type: "image", status: 1, status_description: "active", description: "", is_private: !!opts.privateRepositories?.includes(`${ns}/${name}`), star_count: 0, pull_count: 0, last_updated: null, date_registered: null, affiliation: "", media_types: [], content_types: ["image"] }));
        return send(200, pageOf(results, url));
      }
      // GetRepository (docker/docs content/reference/api/hub/latest.yaml): 404 for a repository that does not exist
      m = /^\/v2\/namespaces\/([^/]+)\/repositories\/([^/]+)\/?$/.exec(url.pathname);
      if (m && method === "GET") {
        const ns = decodeURIComponent(m[1]);
        const name = decodeURIComponent(m[2]);
        const repo = `${ns}/${name}`;
        const isPrivate = !!opts.privateRepositories?.includes(repo);
        const mine = !!caller && (caller.sub === ns || !!opts.users[caller.sub]?.orgs?.includes(ns));
        // a private repository is not found for anyone outside its namespace
        if (!known(ns) || !(await catalog()).includes(repo) || (isPrivate && !mine)) return send(404, { message: "object not found", errinfo: {} });
        return send(200, { user: ns, name, namespace: ns, repository_type: "image", status: 1, status_description: "active", description: "", is_private: isPrivate, is_automated: false, star_count: 0, pull_count: 0, last_updated: null, date_registered: null, affiliation: "", media_types: [], content_types: ["image"], categories: [], storage_size: 0 });
      }
      m = /^\/v2\/namespaces\/([^/]+)\/repositories\/([^/]+)\/tags\/?$/.exec(url.pathname);
      if (m && method === "GET") {
        const repo = `${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`;
        const r = await backingGet(`/v2/${repo}/tags/list`, [`repository:${repo}:pull`]);
        if (r.status !== 200) { await r.arrayBuffer(); return send(404, { detail: "Not found.", message: "object not found" }); }
        const tags = ((await r.json()) as { tags?: string[] | null }).tags ?? [];
        const infos = (await Promise.all(tags.map((t) => tagInfo(repo, t)))).filter((t) => t !== null);
        // newest push first, as the Hub lists them
        infos.sort((a, b) => (b.tag_last_pushed ?? "").localeCompare(a.tag_last_pushed ?? "") || a.name.localeCompare(b.name));
        return send(200, pageOf(infos, url));
      }
      m = /^\/v2\/repositories\/([^/]+)\/([^/]+)\/tags\/([^/]+)\/?$/.exec(url.pathname);
      if (m && method === "DELETE") {
        if (!caller) return send(401, { detail: "Authentication credentials were not provided." });
        const ns = decodeURIComponent(m[1]);
        const repo = `${ns}/${decodeURIComponent(m[2])}`;
        const tag = decodeURIComponent(m[3]);
        const own = [caller.sub, ...(opts.users[caller.sub]?.orgs ?? [])];
        if (!own.includes(ns)) return send(403, { detail: "You do not have permission to perform this action." });
        if (caller.scope !== "delete") return send(403, { detail: "This personal access token does not have the Delete permission (create one with Read, Write, Delete)." });
        if (refusedDelete !== null) return send(403, { detail: refusedDelete });
        const dir = path.dirname(path.dirname(tagLink(repo, tag)));
        if (!/^[\w][\w.-]{0,127}$/.test(tag) || !fs.existsSync(dir)) return send(404, { detail: "Not found.", message: "tag not found" });
        fs.rmSync(dir, { recursive: true, force: true });
        pushers.delete(`${repo}:${tag}`);
        return send(204);
      }
      return send(404, { detail: "Not found." });
    } catch (e) {
      return send(500, { detail: `stand-in error: ${(e as Error).message}` });
    }
  });
  hubUrl = await listen(hub);

  // ---- v2 ("registry-1.docker.io") ----
  const backingUrl = new URL(backing.url);
  const budgetFor = (source: string) => {
    let b = budgets.get(source);
    if (!b || (pullLimit && Date.now() - b.since > pullLimit.windowSeconds * 1000)) budgets.set(source, (b = { used: 0, since: Date.now() }));
    return b;
  };
  const v2 = http.createServer((req, res) => {
    const urlPath = (req.url ?? "/").split("?")[0];
    const bearer = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? "")?.[1];
    const user = bearer ? tokenUsers.get(bearer) : undefined;
    const source = user ?? req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1";
    const manifest = MANIFEST_PATH.exec(urlPath);
    const rateHeaders = (): Record<string, string> => {
      if (!pullLimit) return {};
      const left = forced ? 0 : Math.max(0, pullLimit.limit - budgetFor(source).used);
      return { "ratelimit-limit": `${pullLimit.limit};w=${pullLimit.windowSeconds}`, "ratelimit-remaining": `${left};w=${pullLimit.windowSeconds}`, "docker-ratelimit-source": source };
    };
    if (manifest && req.method === "GET" && bearer !== undefined) {
      const spent = pullLimit && budgetFor(source).used >= pullLimit.limit;
      if (forced || spent) {
        const retry = forced?.retryAfterSeconds ?? Math.ceil((budgetFor(source).since + pullLimit!.windowSeconds * 1000 - Date.now()) / 1000);
        req.resume();
        res.writeHead(429, { "content-type": "application/json", "retry-after": String(retry), ...rateHeaders() });
        return res.end(PULL_LIMIT_BODY);
      }
    }
    const up = http.request({ host: backingUrl.hostname, port: backingUrl.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      const headers = { ...upRes.headers };
      const challenge = headers["www-authenticate"];
      if (typeof challenge === "string") {
        headers["www-authenticate"] = challenge.replace(/realm="[^"]*"/, `realm="${authUrl}/token"`).replace(/service="[^"]*"/, `service="${HUB_SERVICE}"`);
      }
      if (manifest) {
        // a GET answered 200 is a pull; HEAD is a free version check
        if (req.method === "GET" && upRes.statusCode === 200 && pullLimit) budgetFor(source).used++;
        Object.assign(headers, rateHeaders());
        if (req.method === "PUT" && upRes.statusCode === 201 && user && !manifest[2].includes(":")) pushers.set(`${decodeURIComponent(manifest[1])}:${manifest[2]}`, user);
      }
      res.writeHead(upRes.statusCode ?? 502, headers);
      upRes.pipe(res);
    });
    up.on("error", (e) => { if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" }); res.end(`stand-in proxy: ${e.message}`); });
    req.pipe(up);
  });
  const registryUrl = await listen(v2);

  const servers = [auth, hub, v2];
  return {
    hubUrl, registryUrl, authUrl,
    as(username, secret) {
      const u = new URL(registryUrl);
      return { ...backing, name: `dockerhub-${username}`, url: registryUrl, host: u.host, port: Number(u.port), username, password: secret, tokenServer: undefined };
    },
    get hubLog() { return hubLog; },
    get logins() { return logins; },
    pulls: (source) => budgets.get(source)?.used ?? 0,
    setPullLimit(limit) { pullLimit = limit; budgets.clear(); },
    force429(o) { forced = o; },
    forceApi429(o) { forcedApi = o; },
    refuseTagDelete(detail) { refusedDelete = detail; },
    stop: () => Promise.all(servers.map((s) => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); }))).then(() => undefined),
  };
}

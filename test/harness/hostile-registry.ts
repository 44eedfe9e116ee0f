// A hostile registry for the tests (issue 12): one loopback listener plays a registry /v2 and the
// REST APIs of every vendor kind, and misbehaves on request: redirects to another origin and to
// link-local addresses, Link headers and next URLs to another origin, endless pagination, huge and
// endless chunked bodies, slow drips, token realms in private networks, malformed JSON. A second
// listener is "the other origin": it records every Authorization header that reaches it.
// Vendor paths and shapes follow the vendors' published descriptions, as the stand-ins in
// test/harness/vendors do (GitHub REST "List packages for an organization", GitLab "Container
// registry API", Harbor swagger /projects/{p}/repositories/{r}/artifacts, Quay /api/v1 tag listing,
// Docker Hub "List repository tags", Artifact Registry dockerImages.list, ECR DescribeImages).
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Behaviour =
  | "ok"
  | "link-other" // Link rel="next" / next URL on the other origin
  | "link-endless" // a new next page forever
  | "redirect-other" // 307 to the other origin
  | "redirect-private" // 307 to 169.254.169.254 (cloud metadata)
  | "redirect-other-error" // 307 to the other origin, which answers 403 with an internal body
  | "huge" // a 256 MB chunked body (no Content-Length)
  | "declared-huge" // Content-Length: 256 MB, then the bytes
  | "slow" // one byte every 300 ms, for ever
  | "malformed" // truncated JSON
  | "realm-link-local" // /v2/ challenges with a realm on 169.254.169.254
  | "realm-private" // /v2/ challenges with a realm on 10.0.0.1
  | "token-huge"; // /v2/ challenges with a realm on this host, whose token answer is 256 MB

export interface Seen { method: string; url: string; authorization?: string }

export interface HostileRegistry {
  url: string;
  behaviour: Behaviour;
  /** requests the hostile registry saw */
  log: Seen[];
  /** the other origin: every request that reached it */
  other: { url: string; log: Seen[] };
  /** bytes of big bodies the hostile registry managed to write before the client stopped reading */
  bytesSent: number;
  stop(): Promise<void>;
}

export const HUGE_BYTES = 256 * 1024 * 1024;
/** What the other origin answers: a body that must never show up in Regatta's answers or errors. */
export const OTHER_ORIGIN_BODY = "OTHER-ORIGIN-INTERNAL-BODY do-not-echo";
export const ECR_PASSWORD = "ecr-hostile-password";
export const GOOGLE_ACCESS_TOKEN = "ya29.hostile-access-token";

const CHUNK = Buffer.alloc(64 * 1024, 0x20);

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function record(log: Seen[], req: http.IncomingMessage) {
  log.push({ method: req.method ?? "GET", url: req.url ?? "/", authorization: req.headers.authorization });
}

export async function startHostileRegistry(): Promise<HostileRegistry> {
  const other = await listen((req, res) => {
    record(state.other.log, req);
    req.resume();
    const status = req.url?.startsWith("/deny/") ? 403 : 200;
    res.writeHead(status, { "content-type": status === 200 ? "text/plain" : "application/json" }).end(status === 200 ? OTHER_ORIGIN_BODY : JSON.stringify({ message: OTHER_ORIGIN_BODY }));
  });
  const sockets = new Set<import("node:net").Socket>();

  /** Writes `total` bytes (a JSON-looking prefix, then spaces) with backpressure, until done or the client goes. */
  async function flood(res: http.ServerResponse, prefix: string, total: number) {
    res.write(prefix);
    let sent = prefix.length;
    while (sent < total && !res.destroyed) {
      // each wait takes its listeners off again: a long flood must not pile up "close" listeners
      if (!res.write(CHUNK)) await once(res, ["drain", "close"]);
      sent += CHUNK.length;
      state.bytesSent += CHUNK.length;
    }
    if (!res.destroyed) res.end("}");
  }

  /** Resolves at the first of `events`; both listeners are removed then. */
  function once(res: http.ServerResponse, events: string[]): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        for (const e of events) res.off(e, done);
        resolve();
      };
      for (const e of events) res.once(e, done);
    });
  }

  async function drip(res: http.ServerResponse, prefix: string) {
    res.write(prefix);
    while (!res.destroyed) {
      await new Promise((r) => setTimeout(r, 300));
      if (!res.destroyed) res.write(" ");
    }
  }

  /**
   * One page of a list in the scenario's way. `body(n, next)` renders page n (with a next token or
   * URL where the vendor puts it in the body); `page` is the page asked for.
   */
  function listAnswer(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: (page: number, next?: string) => unknown, pageParam = "page") {
    const page = Number(url.searchParams.get(pageParam) || 1) || 1;
    const b = state.behaviour;
    const self = new URL(url.pathname + url.search, main.url);
    if (b === "huge") return void flood(res.writeHead(200, { "content-type": "application/json" }), '{"x":"', HUGE_BYTES);
    if (b === "declared-huge") return void flood(res.writeHead(200, { "content-type": "application/json", "content-length": String(HUGE_BYTES + 1) }), '{"x":"', HUGE_BYTES);
    if (b === "slow") return void drip(res.writeHead(200, { "content-type": "application/json" }), "{");
    if (b === "malformed") return void res.writeHead(200, { "content-type": "application/json" }).end('{"tags": ["a", ');
    if (b === "redirect-other") return void res.writeHead(307, { location: `${other.url}${url.pathname}` }).end();
    if (b === "redirect-private") return void res.writeHead(307, { location: `http://169.254.169.254/latest/meta-data/` }).end();
    let next: URL | undefined;
    if (b === "link-other") next = new URL(url.pathname + url.search, other.url);
    if (b === "link-endless") next = self;
    if (next) {
      next.searchParams.set(pageParam, String(page + 1));
      next.searchParams.set("last", `item-${page}`);
    }
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (next) headers.link = `<${next.href}>; rel="next"`;
    if (b === "link-endless") {
      headers["x-next-page"] = String(page + 1); // GitLab
      headers["x-total-count"] = String(1_000_000_000); // Harbor
    }
    res.writeHead(200, headers).end(JSON.stringify(body(page, next?.href)));
  }

  const digest = `sha256:${"0".repeat(64)}`;
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", digest, size: 2 }, layers: [] });

  async function registry(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
    const b = state.behaviour;
    const path = url.pathname;
    const realm = b === "realm-link-local" ? "http://169.254.169.254/token" : b === "realm-private" ? "http://10.0.0.1/token" : b === "token-huge" ? `${main.url}/token` : undefined;
    const challenge = realm ? `Bearer realm="${realm}",service="hostile"` : `Basic realm="hostile"`;
    if (!req.headers.authorization || realm) {
      return void res.writeHead(401, { "www-authenticate": challenge, "content-type": "application/json" }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    }
    if (path === "/v2/" || path === "/v2") return void res.writeHead(200, { "content-type": "application/json" }).end("{}");
    if (/\/tags\/list$/.test(path) || path === "/v2/_catalog") {
      const field = path === "/v2/_catalog" ? "repositories" : "tags";
      return listAnswer(req, res, url, (page) => ({ name: "acme/app", [field]: [`item-${page}`] }));
    }
    if (/\/manifests\//.test(path)) {
      if (b === "huge") return void flood(res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" }), '{"schemaVersion":2,"x":"', HUGE_BYTES);
      if (b === "declared-huge") return void flood(res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json", "content-length": String(HUGE_BYTES + 1) }), '{"x":"', HUGE_BYTES);
      if (b === "slow") return void drip(res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" }), "{");
      if (b === "malformed") return void res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" }).end('{"schemaVersion": 2, "layers": [');
      if (b === "redirect-other") return void res.writeHead(307, { location: `${other.url}${path}` }).end();
      if (b === "redirect-private") return void res.writeHead(307, { location: "http://169.254.169.254/latest/meta-data/" }).end();
      return void res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" }).end(manifest);
    }
    if (/\/blobs\//.test(path)) {
      if (b === "redirect-other") return void res.writeHead(307, { location: `${other.url}/storage${path}` }).end();
      if (b === "redirect-other-error") return void res.writeHead(307, { location: `${other.url}/deny${path}` }).end();
      if (b === "redirect-private") return void res.writeHead(307, { location: "http://169.254.169.254/latest/meta-data/iam/" }).end();
      if (b === "huge") return void flood(res.writeHead(200, { "content-type": "application/octet-stream" }), "{", HUGE_BYTES);
      return void res.writeHead(200, { "content-type": "application/octet-stream" }).end("{}");
    }
    res.writeHead(404, { "content-type": "application/json" }).end('{"errors":[{"code":"NAME_UNKNOWN"}]}');
  }

  async function vendor(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
    const p = url.pathname;
    const json = (body: unknown, status = 200) => void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    // GitHub REST (apiEndpoint …/gh)
    if (p.startsWith("/gh/")) {
      if (/^\/gh\/users\/[^/]+$/.test(p)) return json({ login: "acme", type: "Organization" }), true;
      if (/\/packages(\/container\/[^/]+\/versions)?$/.test(p)) {
        listAnswer(req, res, url, (page) => [p.endsWith("/versions") ? { id: page, name: `sha256:${String(page).padStart(64, "0")}`, metadata: { container: { tags: [`t${page}`] } } } : { name: `app-${page}` }]);
        return true;
      }
    }
    // GitLab REST (apiEndpoint …/gl → …/gl/api/v4)
    if (p.startsWith("/gl/api/v4/")) {
      if (/^\/gl\/api\/v4\/projects\/[^/]+$/.test(p)) return json({ id: 1, path_with_namespace: "acme/web" }), true;
      if (p === "/gl/api/v4/projects/1/registry/repositories") {
        if (url.searchParams.get("per_page") === "100") return json([{ id: 2, path: "acme/web/app", project_id: 1 }]), true; // the lookup of one repository
        listAnswer(req, res, url, (page) => [{ id: 1000 + page, path: `acme/web/r${page}`, project_id: 1 }]);
        return true;
      }
      if (p === "/gl/api/v4/projects/1/registry/repositories/2/tags") return listAnswer(req, res, url, (page) => [{ name: `t${page}` }]), true;
      if (p.startsWith("/gl/api/v4/projects/1/registry/repositories/2/tags/")) return json({ name: "t", digest }), true;
    }
    // Harbor (apiEndpoint …/hb)
    if (p.startsWith("/hb/projects/")) {
      listAnswer(req, res, url, (page) => (p.endsWith("/artifacts") ? [{ digest, tags: [{ name: `t${page}` }] }] : [{ name: `acme/r${page}` }]));
      return true;
    }
    // Quay (apiEndpoint …/qy): next_page tokens and has_additional in the body
    if (p.startsWith("/qy/api/v1/repository")) {
      if (p.endsWith("/tag/")) {
        listAnswer(req, res, url, (page) => ({ tags: [{ name: `t${page}`, manifest_digest: digest }], page, has_additional: state.behaviour === "link-endless" }));
      } else {
        listAnswer(req, res, url, (page) => ({ repositories: [{ namespace: "acme", name: `r${page}` }], ...(state.behaviour === "link-endless" ? { next_page: `token-${page}-${Date.now()}` } : {}) }), "next_page");
      }
      return true;
    }
    // Docker Hub (the Hub API's paths start at its origin: /v2/auth/token, /v2/namespaces/…): `next` is a URL in the body
    if (p === "/v2/auth/token" || p.startsWith("/v2/namespaces/")) {
      if (p === "/v2/auth/token") return json({ access_token: "hub-jwt.e30.sig" }), true;
      listAnswer(req, res, url, (page, next) => ({ count: 1e9, next: next ?? null, results: [{ name: `t${page}`, digest }] }));
      return true;
    }
    // Google: the key's token_uri, then Artifact Registry's dockerImages.list with nextPageToken
    if (p === "/gcp/token") return json({ access_token: GOOGLE_ACCESS_TOKEN, expires_in: 3600, token_type: "Bearer" }), true;
    if (p.startsWith("/gcp/v1/")) {
      listAnswer(req, res, url, (page) => ({
        dockerImages: [{ uri: `127.0.0.1/p/r/img@sha256:${String(page).padStart(64, "0")}`, tags: [`t${page}`] }],
        ...(state.behaviour === "link-endless" ? { nextPageToken: `tok-${page}-${Date.now()}` } : {}),
      }), "pageToken");
      return true;
    }
    // ECR: the AWS JSON protocol, one POST per operation (X-Amz-Target)
    if (p.startsWith("/ecr") && req.method === "POST") {
      const target = String(req.headers["x-amz-target"] ?? "").split(".").pop();
      const endless = state.behaviour === "link-endless";
      const write = (body: unknown) => void res.writeHead(200, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(body));
      if (target === "GetAuthorizationToken") {
        return write({ authorizationData: [{ authorizationToken: Buffer.from(`AWS:${ECR_PASSWORD}`).toString("base64"), expiresAt: Date.now() / 1000 + 43200, proxyEndpoint: main.url }] }), true;
      }
      if (target === "DescribeImages") return write({ imageDetails: [{ imageDigest: digest, imageTags: ["t"] }], ...(endless ? { nextToken: `n-${Math.random()}` } : {}) }), true;
      if (target === "DescribeRepositories") return write({ repositories: [], ...(endless ? { nextToken: `n-${Math.random()}` } : {}) }), true;
      if (state.behaviour === "huge") return void flood(res.writeHead(200, { "content-type": "application/x-amz-json-1.1" }), "{", HUGE_BYTES), true;
      return write({}), true;
    }
    return false;
  }

  const main = await listen((req, res) => {
    record(state.log, req);
    const url = new URL(req.url ?? "/", "http://hostile");
    const body: Buffer[] = [];
    req.on("data", (c: Buffer) => body.push(c));
    req.on("end", () => {
      (async () => {
        if (await vendor(req, res, url)) return;
        if (url.pathname === "/token") return void flood(res.writeHead(200, { "content-type": "application/json" }), '{"token":"', HUGE_BYTES);
        if (url.pathname.startsWith("/v2")) return registry(req, res, url);
        res.writeHead(404).end();
      })().catch(() => res.destroy());
    });
  });
  main.server.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
  other.server.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });

  const state: HostileRegistry = {
    url: main.url,
    behaviour: "ok",
    log: [],
    other: { url: other.url, log: [] },
    bytesSent: 0,
    async stop() {
      for (const s of sockets) s.destroy();
      await Promise.all([main.server, other.server].map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
  return state;
}

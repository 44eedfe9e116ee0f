// Small pieces the Quay and Harbor stand-ins share: a loopback JSON server with a request log,
// Basic credentials, and the vendor's token path on the stand-in forwarded to the harness token
// server of a token-mode registry:2 (whose realm is pointed there, as the vendor's /v2 would be).
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { RunningRegistry } from "../registry";

export interface LoggedRequest { method: string; url: string; authorization?: string }

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/**
 * A /v2 request the vendor's front has accepted, passed to the backing registry:2 without the
 * vendor's own Authorization (the backing registry is open), answered as it answers.
 */
export function proxyToBacking(port: number, req: http.IncomingMessage, res: http.ServerResponse): void {
  const headers = { ...req.headers };
  delete headers.authorization;
  const upstream = http.request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on("error", () => { if (!res.headersSent) res.writeHead(502); res.end(); });
  req.pipe(upstream);
}

export function basicAuth(req: http.IncomingMessage): [string, string] | null {
  const m = /^Basic\s+(\S+)/i.exec(req.headers.authorization ?? "");
  if (!m) return null;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const i = decoded.indexOf(":");
  return i < 0 ? null : [decoded.slice(0, i), decoded.slice(i + 1)];
}

/** Points a token-mode registry's realm at `realm` and restarts it (same port and data). */
export async function useRealm(reg: RunningRegistry, realm: string): Promise<void> {
  const config = fs.readFileSync(reg.configPath, "utf8");
  fs.writeFileSync(reg.configPath, config.replace(/^(\s*realm: ).*$/m, `$1${JSON.stringify(realm)}`));
  await reg.restart();
}

/** Forwards a token request (query and Authorization kept) to the registry's harness token server. */
export async function forwardToken(reg: RunningRegistry, req: http.IncomingMessage, res: http.ServerResponse, query: URLSearchParams): Promise<void> {
  const target = new URL(reg.tokenServer!.url);
  for (const [k, v] of query) target.searchParams.append(k, v);
  const answer = await fetch(target, { headers: req.headers.authorization ? { authorization: req.headers.authorization } : {} });
  const headers: Record<string, string> = { "content-type": answer.headers.get("content-type") ?? "application/json" };
  const challenge = answer.headers.get("www-authenticate");
  if (challenge) headers["www-authenticate"] = challenge;
  res.writeHead(answer.status, headers);
  res.end(Buffer.from(await answer.arrayBuffer()));
}

/** An HTTP server on 127.0.0.1 with a request log; a handler that throws answers 500. */
export async function listen(handler: (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<void> | void) {
  const log: LoggedRequest[] = [];
  const server = http.createServer((req, res) => {
    log.push({ method: req.method ?? "GET", url: req.url ?? "/", authorization: req.headers.authorization });
    const url = new URL(req.url ?? "/", "http://stand-in");
    Promise.resolve(handler(req, res, url)).catch((e) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(e) });
      else res.end();
    });
  });
  return { ...(await serve(server)), log };
}

/** Starts `server` on a free port of 127.0.0.1: its base URL, and a stop that drops open connections. */
export async function serve(server: http.Server): Promise<{ url: string; stop: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * Writes distribution 2.8's storage layout for a registry that is not running: one small image
 * manifest per distinct `layerSize` (layers of that size), tagged as given. For unit tests of the
 * stand-ins' REST answers; integration tests use a real registry.
 */
export function writeFakeStorage(dataDir: string, tags: Record<string, { tag: string; layerSize: number; at?: Date }[]>): Record<string, string> {
  const root = path.join(dataDir, "docker/registry/v2");
  const digests: Record<string, string> = {};
  for (const [repository, list] of Object.entries(tags)) {
    for (const t of list) {
      const bytes = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", size: 100, digest: `sha256:${"0".repeat(64)}` },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", size: t.layerSize, digest: `sha256:${"1".repeat(64)}` }],
      }));
      const hex = crypto.createHash("sha256").update(bytes).digest("hex");
      const blobDir = path.join(root, "blobs/sha256", hex.slice(0, 2), hex);
      fs.mkdirSync(blobDir, { recursive: true });
      fs.writeFileSync(path.join(blobDir, "data"), bytes);
      const manifests = path.join(root, "repositories", repository, "_manifests");
      fs.mkdirSync(path.join(manifests, "revisions/sha256", hex), { recursive: true });
      fs.writeFileSync(path.join(manifests, "revisions/sha256", hex, "link"), `sha256:${hex}`);
      const tagDir = path.join(manifests, "tags", t.tag, "current");
      fs.mkdirSync(tagDir, { recursive: true });
      fs.writeFileSync(path.join(tagDir, "link"), `sha256:${hex}`);
      if (t.at) fs.utimesSync(path.join(tagDir, "link"), t.at, t.at);
      digests[`${repository}:${t.tag}`] = `sha256:${hex}`;
    }
  }
  return digests;
}

/**
 * Numbered pages (`?page=&per_page=`, as GitHub's and GitLab's REST APIs page): the page asked for,
 * its size (default `defaultPerPage`, at most 100), the last page, and a Link entry builder that
 * keeps the request's other parameters.
 */
export function numberedPage(base: string, url: URL, total: number, defaultPerPage: number) {
  const perPage = Math.min(Math.max(Number(url.searchParams.get("per_page") ?? defaultPerPage) || defaultPerPage, 1), 100);
  const n = Math.max(Number(url.searchParams.get("page") ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(total / perPage), 1);
  const link = (p: number, rel: string) => {
    const u = new URL(`${base}${url.pathname}${url.search}`);
    u.searchParams.set("page", String(p));
    u.searchParams.set("per_page", String(perPage));
    return `<${u}>; rel="${rel}"`;
  };
  return { n, perPage, last, link, slice: <T>(items: T[]) => items.slice((n - 1) * perPage, n * perPage) };
}

// The front server of `npm start`: it listens on PORT, answers the API's burst routes itself
// (lib/api/machine-routes.ts: registry webhooks, and the tag list for API tokens) and passes every
// other request, unchanged, to `next start` on a loopback port. Next costs ~2 ms of CPU per request
// before a route handler runs; a burst of 2,000 one-event webhooks a second cannot afford that.
import http from "node:http";
import net from "node:net";
import zlib from "node:zlib";
import { promisify } from "node:util";
import { randomUUID } from "node:crypto";
import { forwardedHeaders } from "../../lib/auth/client-address.ts";

const gzip = promisify(zlib.gzip);

/** What the front answers itself; anything else goes to Next. */
export type FrontRoute = (req: Request, body: Buffer | undefined) => Promise<Response>;
export type FrontRouter = (method: string, path: string, authorization: string | undefined) => FrontRoute | undefined;

export interface FrontOptions {
  /** where Next listens (loopback) */
  upstream: { host: string; port: number };
  /** the port clients connect to, for X-Forwarded-Port */
  publicPort: number;
  route: FrontRouter;
  /** headers every answer of the front's own carries (the security headers Next adds to its answers) */
  headers?: { key: string; value: string }[];
  /** the most request body bytes the front reads for its own routes (more: the route sees a too-large body) */
  bodyLimit?: number;
  /** called once per answered request (the access log and HTTP metrics of scripts/start.ts) */
  onFinish?: (e: FinishedRequest) => void;
}

export interface FinishedRequest {
  requestId: string;
  method: string;
  path: string;
  status: number;
  seconds: number;
  /** the signed-in user or token owner, as Next's role guard reported it (X-Regatta-Actor, not passed on) */
  actorId?: string;
}

/** The caller's X-Request-Id when it is a sane one (a load balancer's), else a new one. */
export function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}

const ACTOR_HEADER = "x-regatta-actor";
/** the actor id a route reported (X-Regatta-Actor), for the access line */
const actors = new WeakMap<http.ServerResponse, string>();
/** each answer's X-Request-Id, added where its headers are written (a setHeader before a raw writeHead would drop repeated Set-Cookie lines) */
const requestIds = new WeakMap<http.ServerResponse, string>();
const idHeader = (res: http.ServerResponse): Record<string, string> => {
  const id = requestIds.get(res);
  return id ? { "x-request-id": id } : {};
};
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

/**
 * The X-Forwarded-* headers for Next and the front's own routes: the client's own are replaced
 * unless its socket peer is one of REGATTA_TRUSTED_PROXIES (lib/auth/client-address.ts).
 */
function forwarded(req: http.IncomingMessage, publicPort: number): Record<string, string> {
  return forwardedHeaders(req.headers, req.socket as { remoteAddress?: string; encrypted?: boolean }, publicPort);
}

function unavailable(res: http.ServerResponse, path: string, why: string) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const message = `Regatta's web server is not answering (${why}); it may still be starting: try again in a moment`;
  if (path.startsWith("/api/")) {
    res.writeHead(502, { "content-type": "application/json", ...idHeader(res) }).end(JSON.stringify({ error: { code: "UNAVAILABLE", message } }));
  } else {
    res.writeHead(502, { "content-type": "text/plain; charset=utf-8", ...idHeader(res) }).end(`${message}\n`);
  }
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (req.method === "GET" || req.method === "HEAD") return Promise.resolve(undefined);
  const declared = Number(req.headers["content-length"] ?? "");
  // a declared size over the limit is refused by the route without reading it
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off("data", onData);
      resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) {
        // enough to tell the route it is too large; the rest is not read
        req.pause();
        done();
      }
    };
    req.on("data", onData);
    req.once("end", done);
    req.once("error", reject);
  });
}

async function serveOwn(route: FrontRoute, req: http.IncomingMessage, res: http.ServerResponse, opts: FrontOptions) {
  const limit = opts.bodyLimit ?? 2 * 1024 * 1024;
  const body = await readBody(req, limit);
  const t0 = performance.now();
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined && !HOP_BY_HOP.has(k)) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
  }
  for (const [k, v] of Object.entries(forwarded(req, opts.publicPort))) headers.set(k, v);
  const url = `${headers.get("x-forwarded-proto")}://${req.headers.host ?? "localhost"}${req.url}`;
  // the body goes beside the Request: a Request holding it would make a stream to be read again
  const answer = await route(new Request(url, { method: req.method, headers }), body);
  const out = Buffer.from(await answer.arrayBuffer());
  const head: Record<string, string | string[]> = {};
  for (const { key, value } of opts.headers ?? []) head[key.toLowerCase()] = value;
  answer.headers.forEach((v, k) => {
    if (k === ACTOR_HEADER) actors.set(res, v);
    else if (k !== "set-cookie") head[k] = v;
  });
  const cookies = answer.headers.getSetCookie();
  if (cookies.length) head["set-cookie"] = cookies;
  let payload = out;
  // like Next: gzip when the client takes it and the answer is worth it (a 1,500-tag list: 490 KB → 6 KB)
  if (out.length >= 1024 && !head["content-encoding"] && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
    payload = await gzip(out, { level: 1 });
    head["content-encoding"] = "gzip";
    head.vary = "Accept-Encoding";
  }
  // the route's own Server-Timing, and the whole of the front's work (auth, route, encoding)
  if (head["server-timing"]) head["server-timing"] += `, total;dur=${(performance.now() - t0).toFixed(1)}`;
  head["content-length"] = String(payload.length);
  Object.assign(head, idHeader(res));
  // a body left unread (over the limit) is not drained: the connection closes after the answer
  if (body && body.length > limit) head.connection = "close";
  res.writeHead(answer.status, head).end(req.method === "HEAD" ? undefined : payload);
}

function proxy(req: http.IncomingMessage, res: http.ServerResponse, opts: FrontOptions, agent: http.Agent, retried = false) {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) || k === "transfer-encoding") headers[k] = v;
  Object.assign(headers, forwarded(req, opts.publicPort));
  const up = http.request({ host: opts.upstream.host, port: opts.upstream.port, method: req.method, path: req.url, headers, agent }, (upRes) => {
    const raw: string[] = [];
    for (let i = 0; i < upRes.rawHeaders.length; i += 2) {
      const k = upRes.rawHeaders[i]!.toLowerCase();
      if (k === ACTOR_HEADER) actors.set(res, upRes.rawHeaders[i + 1]!);
      else if (!HOP_BY_HOP.has(k) || k === "transfer-encoding") raw.push(upRes.rawHeaders[i]!, upRes.rawHeaders[i + 1]!);
    }
    const requestId = requestIds.get(res);
    if (requestId) raw.push("X-Request-Id", requestId);
    res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, raw);
    upRes.pipe(res);
    upRes.on("error", () => res.destroy());
  });
  up.on("error", (err: NodeJS.ErrnoException) => {
    // a kept-alive socket Next closed just as it was reused: a GET or HEAD is sent again once
    if (!retried && up.reusedSocket && err.code === "ECONNRESET" && (req.method === "GET" || req.method === "HEAD") && !res.headersSent) {
      proxy(req, res, opts, agent, true);
      return;
    }
    unavailable(res, req.url ?? "/", err.code ?? err.message);
  });
  res.on("close", () => {
    if (!res.writableFinished) up.destroy();
  });
  if (retried) up.end();
  else req.pipe(up);
}

/** WebSocket upgrades (`next dev`'s hot reload) go to Next as raw bytes. */
function tunnel(req: http.IncomingMessage, socket: net.Socket, head: Buffer, opts: FrontOptions) {
  const up = net.connect(opts.upstream.port, opts.upstream.host, () => {
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
    const fwd = forwarded(req, opts.publicPort);
    for (let i = 0; i < req.rawHeaders.length; i += 2) if (!(req.rawHeaders[i]!.toLowerCase() in fwd)) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    for (const [k, v] of Object.entries(fwd)) lines.push(`${k}: ${v}`);
    up.write(`${lines.join("\r\n")}\r\n\r\n`);
    if (head.length) up.write(head);
    socket.pipe(up).pipe(socket);
  });
  const end = () => {
    up.destroy();
    socket.destroy();
  };
  up.on("error", end);
  socket.on("error", end);
}

export function createFront(opts: FrontOptions): http.Server {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    // one id per request: in the access line, passed to Next (its error lines), and to the caller
    const requestId = requestIdOf(req);
    req.headers["x-request-id"] = requestId;
    delete req.headers[ACTOR_HEADER];
    requestIds.set(res, requestId);
    if (opts.onFinish) {
      const t0 = performance.now();
      res.once("finish", () => opts.onFinish!({ requestId, method: req.method ?? "GET", path, status: res.statusCode, seconds: (performance.now() - t0) / 1000, actorId: actors.get(res) }));
    }
    const own = opts.route(req.method ?? "GET", path, req.headers.authorization);
    if (!own) {
      proxy(req, res, opts, agent);
      return;
    }
    serveOwn(own, req, res, opts).catch((err: unknown) => {
      // the routes answer their own errors as JSON; this is the front failing (a client gone, …)
      console.error(`[regatta] front: ${req.method} ${path} failed:`, err instanceof Error ? err.message : err);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json", ...idHeader(res) }).end(JSON.stringify({ error: { code: "INTERNAL", message: "something went wrong on the server" } }));
      else res.destroy();
    });
  });
  server.on("upgrade", (req, socket, head) => tunnel(req, socket as net.Socket, head, opts));
  server.on("close", () => agent.destroy());
  return server;
}

// The one HTTP server of `npm start` (and of the image): it listens on PORT and hands requests to
// Next in the same process (Next's custom-server API: `next({ dir }).getRequestHandler()`), except
// the API's burst routes (app/api/v1/machine-routes.ts: registry webhooks, and the tag list for API
// tokens), which it answers itself with the same handlers as Next's route files: Next costs ~1–2 ms
// of CPU per request before a route handler runs, and a burst of 2,000 one-event webhooks a
// second cannot afford that. No second HTTP hop: Next is a function call here.
// What every request gets, whoever answers it: a request id (X-Request-Id), the X-Forwarded-*
// headers overwritten from the socket (lib/auth/client-address.ts), the access log line and the
// HTTP metrics (onFinish).
import http from "node:http";
import zlib from "node:zlib";
import { promisify } from "node:util";
import { randomUUID } from "node:crypto";
import { forwardedHeaders } from "../../lib/auth/client-address.ts";

const gzip = promisify(zlib.gzip);

/** What the server answers itself; anything else goes to Next. */
export type OwnRoute = (req: Request, body: Buffer | undefined) => Promise<Response>;
export type OwnRouter = (method: string, path: string, authorization: string | undefined) => OwnRoute | undefined;
/** Next's request handler (or a stand-in in tests). */
export type NextHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

export interface ServerOptions {
  /** Next's request handler: `next({ dir }).getRequestHandler()` after prepare() */
  next: NextHandler;
  /** the port clients connect to, for X-Forwarded-Port */
  publicPort: number;
  route: OwnRouter;
  /** headers every answer of the server's own carries (the security headers Next adds to its answers) */
  headers?: { key: string; value: string }[];
  /** the most request body bytes read for the server's own routes (more: the route sees a too-large body) */
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
  /** the signed-in user or token owner, as the role guard reported it (X-Regatta-Actor, taken off the answer) */
  actorId?: string;
}

/** The caller's X-Request-Id when it is a sane one (a load balancer's), else a new one. */
export function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}

const ACTOR_HEADER = "x-regatta-actor";
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

/**
 * The role guard names the actor in an X-Regatta-Actor answer header (lib/auth/actor.ts): it is
 * kept for the access line and never sent. Next writes its headers with setHeader/appendHeader.
 */
function keepActorOff(res: http.ServerResponse, seen: (actorId: string) => void) {
  const set = res.setHeader.bind(res);
  const append = res.appendHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) => {
    if (name.toLowerCase() === ACTOR_HEADER) {
      seen(String(value));
      return res;
    }
    return set(name, value);
  };
  res.appendHeader = (name: string, value: string | readonly string[]) => {
    if (name.toLowerCase() === ACTOR_HEADER) {
      seen(String(value));
      return res;
    }
    return append(name, value);
  };
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

async function serveOwn(route: OwnRoute, req: http.IncomingMessage, res: http.ServerResponse, opts: ServerOptions, requestId: string, actor: (id: string) => void) {
  const limit = opts.bodyLimit ?? 2 * 1024 * 1024;
  const body = await readBody(req, limit);
  const t0 = performance.now();
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined && !HOP_BY_HOP.has(k)) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
  }
  const url = `${headers.get("x-forwarded-proto")}://${req.headers.host ?? "localhost"}${req.url}`;
  // a caller gone before its answer ends the route's waits (a promotion's GET ?wait=), as Next's request.signal does
  const gone = new AbortController();
  const closed = () => {
    if (!res.writableFinished) gone.abort(new Error("the client closed the connection"));
  };
  res.once("close", closed);
  // the body goes beside the Request: a Request holding it would make a stream to be read again
  const answer = await route(new Request(url, { method: req.method, headers, signal: gone.signal }), body);
  const out = Buffer.from(await answer.arrayBuffer());
  const head: Record<string, string | string[]> = {};
  for (const { key, value } of opts.headers ?? []) head[key.toLowerCase()] = value;
  answer.headers.forEach((v, k) => {
    if (k === ACTOR_HEADER) actor(v);
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
  // the route's own Server-Timing, and the whole of the server's work (auth, route, encoding)
  if (head["server-timing"]) head["server-timing"] += `, total;dur=${(performance.now() - t0).toFixed(1)}`;
  head["content-length"] = String(payload.length);
  head["x-request-id"] = requestId;
  // a body left unread (over the limit) is not drained: the connection closes after the answer
  if (body && body.length > limit) head.connection = "close";
  res.writeHead(answer.status, head).end(req.method === "HEAD" ? undefined : payload);
}

function failed(res: http.ServerResponse, path: string, requestId: string) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (path.startsWith("/api/")) {
    res.writeHead(500, { "content-type": "application/json", "x-request-id": requestId }).end(JSON.stringify({ error: { code: "INTERNAL", message: "something went wrong on the server" } }));
  } else {
    res.writeHead(500, { "content-type": "text/plain; charset=utf-8", "x-request-id": requestId }).end("Something went wrong on the server; try again in a moment\n");
  }
}

/** How long an idle kept-alive connection stays open. */
export const KEEP_ALIVE_MS = 65_000;

export function createServer(opts: ServerOptions): http.Server {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    // one id per request: in the access line, seen by Next (its error lines), and returned to the caller
    const requestId = requestIdOf(req);
    req.headers["x-request-id"] = requestId;
    // never the client's word: the actor header is the guard's, the forwarded ones the socket's
    delete req.headers[ACTOR_HEADER];
    Object.assign(req.headers, forwardedHeaders(req.headers, req.socket as { remoteAddress?: string; encrypted?: boolean }, opts.publicPort));
    let actorId: string | undefined;
    const actor = (id: string) => (actorId = id);
    if (opts.onFinish) {
      const t0 = performance.now();
      res.once("finish", () => opts.onFinish!({ requestId, method: req.method ?? "GET", path, status: res.statusCode, seconds: (performance.now() - t0) / 1000, actorId }));
    }
    const own = opts.route(req.method ?? "GET", path, req.headers.authorization);
    const answer = own
      ? serveOwn(own, req, res, opts, requestId, actor)
      : (() => {
          res.setHeader("x-request-id", requestId);
          keepActorOff(res, actor);
          return opts.next(req, res);
        })();
    answer.catch((err: unknown) => {
      // the routes (and Next) answer their own errors; this is the server failing (a client gone, …)
      console.error(`[regatta] server: ${req.method} ${path} failed:`, err instanceof Error ? err.message : err);
      failed(res, path, requestId);
    });
  });
  // an idle kept-alive connection stays open longer than its clients' (a load balancer's is 60 s
  // at AWS, haproxy keeps its own): Node's 5 s default closes it while a client may be sending on
  // it, and that request dies as ECONNRESET. Stopping closes idle connections itself (start.ts).
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  return server;
}

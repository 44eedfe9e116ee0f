// Test helper: a node:http server on loopback that records every request (method, path, query,
// headers, body) and lets a handler answer as a registry would.
import http, { type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The client's port: one per TCP connection. */
  remotePort: number | undefined;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface LoopbackServer {
  /** e.g. "http://127.0.0.1:40123" */
  url: string;
  host: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startServer(handler: Handler, host = "127.0.0.1"): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", () => {});
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const recorded: RecordedRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        url: req.url ?? "/",
        headers: req.headers,
        body: Buffer.concat(chunks),
        remotePort: req.socket.remotePort,
      };
      requests.push(recorded);
      Promise.resolve(handler(recorded, res)).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    host,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A registry that holds every request `holdMs` before an empty tag list, and counts the most it
 * held at once (`peak`, since the last `reset`): what a per-host bound lets through.
 */
export async function startInFlightCounter(holdMs = 30): Promise<LoopbackServer & { peak(): number; reset(): void }> {
  let inFlight = 0;
  let peak = 0;
  const server = await startServer(async (_req, res) => {
    peak = Math.max(peak, ++inFlight);
    await new Promise((r) => setTimeout(r, holdMs));
    inFlight--;
    sendJson(res, 200, { name: "a", tags: [] });
  });
  return { ...server, peak: () => peak, reset: () => void (peak = 0) };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The distribution-spec error body. */
export function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { errors: [{ code, message, detail: null }] }, headers);
}

/** "GET /v2/acme/api/tags/list?n=2" — compact request lines for order assertions. */
export function line(r: RecordedRequest): string {
  return `${r.method} ${r.url}`;
}

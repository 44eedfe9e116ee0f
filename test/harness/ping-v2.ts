// A loopback /v2 that only answers the ping (200 on /v2/, 404 elsewhere): for provider unit tests
// whose vendor REST API is the subject and whose registry only has to be there.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface PingOnlyV2 {
  url: string;
  stop(): Promise<void>;
}

export async function startPingOnlyV2(): Promise<PingOnlyV2> {
  const server = http.createServer((req, res) => { res.writeHead(req.url === "/v2/" ? 200 : 404, { "content-type": "application/json" }); res.end("{}"); });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

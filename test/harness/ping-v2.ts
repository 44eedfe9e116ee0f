// A loopback /v2 that only answers the ping (200 on /v2/, 404 elsewhere): for provider unit tests
// whose vendor REST API is the subject and whose registry only has to be there.
import http from "node:http";
import { afterAll, beforeAll } from "vitest";
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

/**
 * One ping-only /v2 for a whole test file (started before its tests, stopped after); read `.url`
 * inside tests. `digest(n)` is a well-formed digest for fixtures.
 */
export function pingOnlyV2ForFile(): { readonly url: string } {
  let v2: PingOnlyV2 | undefined;
  beforeAll(async () => { v2 = await startPingOnlyV2(); });
  afterAll(() => v2?.stop());
  return { get url() { return v2!.url; } };
}

export const fixtureDigest = (n: number) => `sha256:${String(n).padStart(64, "0")}`;

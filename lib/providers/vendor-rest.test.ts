// The one vendor REST helper: URL joining, JSON answers, and failures as RegistryError in plain words.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { RegistryError } from "@/lib/registry";
import { apiUrl, vendorRequest, type VendorApi } from "./vendor-rest";

let server: http.Server;
let base: string;
const seen: { url?: string; authorization?: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ url: req.url, authorization: req.headers.authorization });
    if (req.url?.startsWith("/api/v2.0/html")) { res.writeHead(200, { "content-type": "text/html" }); res.end("<html>login</html>"); return; }
    if (req.url?.startsWith("/api/v2.0/busy")) { res.writeHead(429, { "retry-after": "7", "content-type": "application/json" }); res.end(JSON.stringify({ errors: [{ code: "TOO_MANY_REQUESTS", message: "slow down" }] })); return; }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2.0`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const api = (over: Partial<VendorApi> = {}): VendorApi => ({ base, name: "Test API", insecure: false, authorization: () => "Basic c2VjcmV0", ...over });

describe("vendorRequest", () => {
  it("keeps the base path, drops empty query values, sends the Authorization", async () => {
    const url = apiUrl(`${base}/`, "/projects/p/repositories", { page: 2, q: undefined, name: "" });
    expect(url.pathname).toBe("/api/v2.0/projects/p/repositories");
    expect(url.search).toBe("?page=2");
    expect((await vendorRequest<{ ok: boolean }>(api(), "GET", url, "listing")).body).toEqual({ ok: true });
    expect(seen.at(-1)).toEqual({ url: "/api/v2.0/projects/p/repositories?page=2", authorization: "Basic c2VjcmV0" });
  });

  it("an answer that is not JSON is MALFORMED, not a crash", async () => {
    const err = await vendorRequest(api(), "GET", apiUrl(base, "/html"), "listing").catch((e) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.codes).toEqual(["MALFORMED"]);
  });

  it("429 keeps the vendor's code, message and Retry-After", async () => {
    const err = await vendorRequest(api(), "GET", apiUrl(base, "/busy"), "listing").catch((e) => e);
    expect(err).toMatchObject({ status: 429, codes: ["TOO_MANY_REQUESTS"], registryMessage: "slow down", retryAfter: 7 });
  });

  it("nobody listening: NETWORK, naming the API", async () => {
    const err = await vendorRequest(api({ base: "http://127.0.0.1:9" }), "GET", new URL("http://127.0.0.1:9/x"), "listing").catch((e) => e);
    expect(err).toMatchObject({ codes: ["NETWORK"] });
    expect(err.message).toContain("Test API");
  });

  it("calls nothing outside the API's own origin (a next link elsewhere gets no token)", async () => {
    const before = seen.length;
    const other = new URL(base.replace(/:\d+\//, ":9/"));
    const err = await vendorRequest(api(), "GET", new URL("/x?page=2", other), "listing").then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).codes).toContain("DENIED");
    expect(seen.length).toBe(before);
  });

  it("stops reading an answer at its byte limit", async () => {
    const err = await vendorRequest(api({ maxBytes: 5 }), "GET", apiUrl(base, "/big"), "reading").then(() => undefined, (e: unknown) => e);
    expect((err as RegistryError).message).toMatch(/exceeds the 5-byte limit/);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { clientAddress, forwardedHeaders, parseTrustedProxies, publicHost, resolveClientAddress } from "./client-address";

const none = parseTrustedProxies("");
const lb = parseTrustedProxies("10.0.0.0/8, 192.168.1.4, fd00::/8");

afterEach(() => {
  delete process.env.REGATTA_TRUSTED_PROXIES;
  delete process.env.AUTH_URL;
});

describe("resolveClientAddress", () => {
  it("with no trusted proxy (the default) is the socket's address, whatever X-Forwarded-For says", () => {
    expect(resolveClientAddress("203.0.113.9", "1.2.3.4", none)).toBe("203.0.113.9");
    expect(resolveClientAddress("::ffff:203.0.113.9", "1.2.3.4", none)).toBe("203.0.113.9");
  });
  it("behind trusted proxies is the right-most hop that is not one of them", () => {
    expect(resolveClientAddress("10.1.2.3", "198.51.100.1, 203.0.113.5", lb)).toBe("203.0.113.5");
    expect(resolveClientAddress("10.1.2.3", "198.51.100.1, 203.0.113.5, 192.168.1.4", lb)).toBe("203.0.113.5");
    expect(resolveClientAddress("10.1.2.3", undefined, lb)).toBe("10.1.2.3");
    expect(resolveClientAddress("10.1.2.3", "not-an-ip", lb)).toBe("10.1.2.3");
    expect(resolveClientAddress("192.168.1.5", "1.1.1.1", lb)).toBe("192.168.1.5");
  });
  it("refuses entries that are not addresses or CIDRs", () => {
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow(/prefix/);
    expect(() => parseTrustedProxies("example.com")).toThrow(/not an address/);
  });
});

describe("forwardedHeaders (the front server's)", () => {
  const client = { host: "regatta.example.com:8443", "x-forwarded-for": "6.6.6.6", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https", "x-forwarded-port": "1" };
  it("replaces a client's forwarded headers with the socket's truth", () => {
    expect(forwardedHeaders(client, { remoteAddress: "127.0.0.1" }, 8443)).toEqual({
      "x-forwarded-for": "127.0.0.1", "x-forwarded-host": "regatta.example.com:8443", "x-forwarded-port": "8443", "x-forwarded-proto": "http",
    });
  });
  it("keeps a trusted proxy's", () => {
    process.env.REGATTA_TRUSTED_PROXIES = "127.0.0.1/32";
    expect(forwardedHeaders(client, { remoteAddress: "127.0.0.1" }, 8443)).toEqual({
      "x-forwarded-for": "6.6.6.6", "x-forwarded-host": "evil.example", "x-forwarded-port": "1", "x-forwarded-proto": "https",
    });
  });
  it("a bad REGATTA_TRUSTED_PROXIES trusts nobody", () => {
    process.env.REGATTA_TRUSTED_PROXIES = "0.0.0.0/0, nonsense";
    expect(forwardedHeaders(client, { remoteAddress: "127.0.0.1" }, 1)["x-forwarded-for"]).toBe("127.0.0.1");
  });
});

describe("inside Next", () => {
  it("the caller's address is what the front wrote; the public host is the forwarded one or AUTH_URL's", () => {
    expect(clientAddress(new Headers({ "x-forwarded-for": "203.0.113.7" }))).toBe("203.0.113.7");
    expect(clientAddress(new Headers({ "x-forwarded-for": "junk" }))).toBeNull();
    expect(publicHost(new Headers({ host: "127.0.0.1:41234", "x-forwarded-host": "regatta.example.com" }))).toBe("regatta.example.com");
    process.env.AUTH_URL = "https://dash.example.com/";
    expect(publicHost(new Headers({ "x-forwarded-host": "regatta.example.com" }))).toBe("dash.example.com");
  });
});

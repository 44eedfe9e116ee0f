import { describe, expect, it } from "vitest";
import { AddressPolicy, classifyAddress, classifyHost } from "./address";
import { RegistryClient } from "./client";
import { RegistryError } from "./errors";

describe("classifyAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["0.0.0.0", "loopback"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["169.254.169.254", "link-local"],
    ["::ffff:169.254.169.254", "link-local"],
    ["fe80::1", "link-local"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["fd00::1", "private"],
    ["172.32.0.1", "public"],
    ["8.8.8.8", "public"],
    ["2606:4700::1111", "public"],
  ])("%s is %s", (ip, kind) => {
    expect(classifyAddress(ip)).toBe(kind);
  });

  it("resolves names, and takes localhost for loopback without asking", async () => {
    expect(await classifyHost("metadata.internal", async () => ["169.254.169.254"])).toEqual(["link-local"]);
    expect(await classifyHost("localhost", async () => { throw new Error("not asked"); })).toEqual(["loopback"]);
    expect(await classifyHost("nowhere.invalid", async () => { throw new Error("ENOTFOUND"); })).toEqual([]);
  });
});

describe("AddressPolicy", () => {
  const resolve = async (h: string) => ({ "registry.example.com": ["203.0.113.10"], "auth.example.com": ["198.51.100.1"], "harbor.corp": ["10.0.0.5"], "meta.evil": ["169.254.169.254"] })[h] ?? [];

  it("lets a public registry use public realms and storage, never private or link-local ones", async () => {
    const p = new AddressPolicy(new URL("https://registry.example.com"), resolve);
    await p.check(new URL("https://auth.example.com/token"), "x", "the token realm");
    for (const target of ["http://169.254.169.254/latest", "https://meta.evil/", "http://10.0.0.1/", "http://127.0.0.1:9000/", "https://harbor.corp/"]) {
      await expect(p.check(new URL(target), "x", "the token realm")).rejects.toBeInstanceOf(RegistryError);
    }
  });

  it("lets a registry in a private network use that network, still not link-local", async () => {
    const p = new AddressPolicy(new URL("https://harbor.corp"), resolve);
    await p.check(new URL("http://10.9.9.9/service/token"), "x", "the token realm");
    await expect(p.check(new URL("http://169.254.169.254/"), "x", "the token realm")).rejects.toThrow(/link-local/);
  });

  it("the transport refuses a realm that resolves to a link-local address before sending anything there", async () => {
    const sent: string[] = [];
    const fetch = (async (input: URL | RequestInfo) => {
      const url = String(input);
      sent.push(url);
      if (url.startsWith("https://registry.example.com")) {
        return new Response("{}", { status: 401, headers: { "www-authenticate": 'Bearer realm="https://meta.evil/token",service="r"' } });
      }
      return new Response('{"token":"t"}', { status: 200 });
    }) as typeof globalThis.fetch;
    const client = new RegistryClient({ endpoint: "https://registry.example.com", credentials: { username: "u", password: "p" }, fetch, resolve, options: { retries: 0 } });
    const err = await client.listTags("acme/app").then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).message).toMatch(/token realm points at meta\.evil, a link-local address/);
    expect(sent.filter((u) => u.includes("meta.evil"))).toEqual([]);
  });
});

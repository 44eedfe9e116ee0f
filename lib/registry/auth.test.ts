import { describe, expect, it } from "vitest";
import { allowsPlainHttp, credentialIdentity, isLoopbackHost, parseChallenges, pickChallenge, TokenCache, tokenUrl } from "./auth";
import { mergeScopes, parseScope, scopesCover } from "./scope";

describe("parseChallenges", () => {
  it.each([
    ["empty", "", []],
    ["Basic", 'Basic realm="Registry Realm"', [{ scheme: "basic", params: { realm: "Registry Realm" } }]],
    [
      "registry:2 bearer with a quoted comma in scope",
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:acme/api:pull,push"',
      [{ scheme: "bearer", params: { realm: "https://auth.example.com/token", service: "registry.example.com", scope: "repository:acme/api:pull,push" } }],
    ],
    [
      "two challenges in one header (fetch joins repeated headers with a comma)",
      'Bearer realm="https://h/service/token",service="harbor-registry",scope="repository:p/r:pull", Basic realm="harbor"',
      [
        { scheme: "bearer", params: { realm: "https://h/service/token", service: "harbor-registry", scope: "repository:p/r:pull" } },
        { scheme: "basic", params: { realm: "harbor" } },
      ],
    ],
    [
      "case-insensitive scheme and names, spaces around =, unquoted values",
      'BEARER Realm = "https://a/t" , Service=reg , error=insufficient_scope',
      [{ scheme: "bearer", params: { realm: "https://a/t", service: "reg", error: "insufficient_scope" } }],
    ],
    [
      "escaped quotes and several scopes separated by spaces",
      'Bearer realm="https://a/t",scope="repository:a/b:pull repository:c:pull,push",note="say \\"hi\\", ok"',
      [{ scheme: "bearer", params: { realm: "https://a/t", scope: "repository:a/b:pull repository:c:pull,push", note: 'say "hi", ok' } }],
    ],
    ["scheme without parameters, then another", "Negotiate, Basic realm=x", [{ scheme: "negotiate", params: {} }, { scheme: "basic", params: { realm: "x" } }]],
  ])("%s", (_name, header, expected) => {
    expect(parseChallenges(header)).toEqual(expected);
  });

  it("prefers Bearer over Basic", () => {
    expect(pickChallenge(parseChallenges('Basic realm="b", Bearer realm="https://t"'))?.scheme).toBe("bearer");
    expect(pickChallenge(parseChallenges('Basic realm="b"'))?.scheme).toBe("basic");
    expect(pickChallenge(parseChallenges("Negotiate"))).toBeUndefined();
  });
});

describe("scopes", () => {
  it("splits a scope whose name holds a host:port", () => {
    expect(parseScope("repository:localhost:5000/a/b:pull,push")).toEqual({ type: "repository", name: "localhost:5000/a/b", actions: ["pull", "push"] });
    expect(parseScope("nonsense")).toBeUndefined();
  });

  it("merges actions per resource into a sorted set", () => {
    expect(mergeScopes(["repository:a:push", "repository:b:pull"], ["repository:a:pull", "registry:catalog:*"])).toEqual([
      "registry:catalog:*",
      "repository:a:pull,push",
      "repository:b:pull",
    ]);
    expect(mergeScopes(["repository:a:pull repository:c:pull"])).toEqual(["repository:a:pull", "repository:c:pull"]);
  });

  it("knows that push,pull covers pull but not delete", () => {
    expect(scopesCover(["repository:a:pull,push"], ["repository:a:pull"])).toBe(true);
    expect(scopesCover(["repository:a:pull"], ["repository:a:pull,push"])).toBe(false);
    expect(scopesCover(["repository:a:pull,push"], ["repository:a:delete"])).toBe(false);
    expect(scopesCover(["repository:a:*"], ["repository:a:delete"])).toBe(true);
    expect(scopesCover(["repository:a:pull"], ["repository:b:pull"])).toBe(false);
    expect(scopesCover(["repository:a:pull,push", "repository:b:pull"], ["repository:b:pull", "repository:a:push"])).toBe(true);
  });
});

describe("TokenCache", () => {
  const realm = "https://auth.example.com/token";
  const pull = ["repository:acme/api:pull"];
  const id = credentialIdentity({ username: "u", password: "p" });

  it("keeps a token until shortly before expires_in and refreshes a little early", () => {
    let now = 1_000_000;
    const cache = new TokenCache({ now: () => now, refreshEarlyMs: 10_000 });
    cache.set(realm, "svc", pull, id, "T1", 300);
    now += 289_000;
    expect(cache.get(realm, "svc", pull, id)).toBe("T1");
    now += 2_000; // 291 s: inside the 10 s refresh margin
    expect(cache.get(realm, "svc", pull, id)).toBeUndefined();
  });

  it("assumes 60 s when expires_in is missing (token.md) with a margin of a tenth", () => {
    let now = 0;
    const cache = new TokenCache({ now: () => now });
    cache.set(realm, "svc", pull, id, "T", undefined);
    now = 53_000;
    expect(cache.get(realm, "svc", pull, id)).toBe("T");
    now = 55_000;
    expect(cache.get(realm, "svc", pull, id)).toBeUndefined();
  });

  it("counts from issued_at when the server hands out an aged token, but ignores impossible ages", () => {
    let now = 100_000;
    const cache = new TokenCache({ now: () => now, refreshEarlyMs: 0 });
    cache.set(realm, "svc", pull, id, "aged", 60, now - 50_000); // 10 s left
    cache.set(realm, "svc", ["repository:x:pull"], id, "skewed", 60, now + 3_600_000); // issued "in the future"
    now += 11_000;
    expect(cache.get(realm, "svc", pull, id)).toBeUndefined();
    expect(cache.get(realm, "svc", ["repository:x:pull"], id)).toBe("skewed");
  });

  it("keys by realm, service, scope set and credential identity; find() accepts a covering scope set", () => {
    const cache = new TokenCache();
    cache.set(realm, "svc", ["repository:acme/api:pull,push"], id, "RW", 300);
    expect(cache.find(realm, "svc", pull, id, scopesCover)).toBe("RW");
    expect(cache.get(realm, "svc", pull, id)).toBeUndefined(); // not the exact set
    expect(cache.find(realm, "svc", ["repository:acme/api:delete"], id, scopesCover)).toBeUndefined();
    expect(cache.find(realm, "other", pull, id, scopesCover)).toBeUndefined();
    expect(cache.find("https://elsewhere/token", "svc", pull, id, scopesCover)).toBeUndefined();
    expect(cache.find(realm, "svc", pull, credentialIdentity(undefined), scopesCover)).toBeUndefined();
    cache.invalidate("RW");
    expect(cache.find(realm, "svc", pull, id, scopesCover)).toBeUndefined();
  });

  it("treats scope order as irrelevant", () => {
    const cache = new TokenCache();
    cache.set(realm, "svc", ["repository:b:pull", "repository:a:pull"], id, "T", 300);
    expect(cache.get(realm, "svc", ["repository:a:pull", "repository:b:pull"], id)).toBe("T");
  });
});

describe("credentials and realms", () => {
  it("identifies credentials by a hash that does not contain the secret", () => {
    const a = credentialIdentity({ username: "robot", password: "s3cr3t-value" });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toContain("s3cr3t");
    expect(credentialIdentity({ username: "robot", password: "other" })).not.toBe(a);
    expect(credentialIdentity(undefined)).toBe("anonymous");
  });

  it("builds the token URL with one scope parameter per scope", () => {
    const url = tokenUrl({ realm: new URL("https://auth.example.com/token?client=x"), service: "reg", scopes: ["repository:a:pull", "repository:b:pull,push"] });
    expect(url.searchParams.getAll("scope")).toEqual(["repository:a:pull", "repository:b:pull,push"]);
    expect(url.searchParams.get("service")).toBe("reg");
    expect(url.searchParams.get("client")).toBe("x");
  });

  it("allows plain http only to loopback registries or when insecure", () => {
    for (const h of ["localhost", "127.0.0.1", "127.8.9.10", "[::1]", "::1"]) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ["10.0.0.1", "example.com", "127.0.0.1.nip.io", "localhost.example"]) expect(isLoopbackHost(h)).toBe(false);
    expect(allowsPlainHttp(new URL("http://127.0.0.1:5000"), false)).toBe(true);
    expect(allowsPlainHttp(new URL("http://registry.lan:5000"), false)).toBe(false);
    expect(allowsPlainHttp(new URL("https://127.0.0.1:5000"), false)).toBe(false);
    expect(allowsPlainHttp(new URL("http://registry.lan:5000"), true)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { InvalidReferenceError, isDigest, parseReference, validateDigest, validateRepository, validateTag } from "./reference";

const D256 = `sha256:${"a".repeat(64)}`;
const D512 = `sha512:${"b".repeat(128)}`;

describe("parseReference", () => {
  it.each([
    ["nginx", "registry-1.docker.io", "library/nginx", "latest", undefined],
    ["nginx:1.27", "registry-1.docker.io", "library/nginx", "1.27", undefined],
    ["docker.io/nginx", "registry-1.docker.io", "library/nginx", "latest", undefined],
    ["index.docker.io/library/nginx:alpine", "registry-1.docker.io", "library/nginx", "alpine", undefined],
    ["registry-1.docker.io/redis", "registry-1.docker.io", "library/redis", "latest", undefined],
    ["acme/api", "registry-1.docker.io", "acme/api", "latest", undefined],
    ["ghcr.io/acme/api:v1.2.3", "ghcr.io", "acme/api", "v1.2.3", undefined],
    [`127.0.0.1:5000/acme/api@${D256}`, "127.0.0.1:5000", "acme/api", undefined, D256],
    [`localhost:5000/a/b/c:t@${D256}`, "localhost:5000", "a/b/c", "t", D256],
    ["localhost/foo", "localhost", "foo", "latest", undefined],
    ["registry.example.com:443/team/app_x.y-z", "registry.example.com:443", "team/app_x.y-z", "latest", undefined],
    ["[::1]:5000/foo:bar", "[::1]:5000", "foo", "bar", undefined],
    [`quay.io/org/img@${D512}`, "quay.io", "org/img", undefined, D512],
    ["a__b/c--d/e.f:_tag", "registry-1.docker.io", "a__b/c--d/e.f", "_tag", undefined],
    // distribution's splitDockerDomain: an uppercase first component can only be a host name.
    ["Registry/api", "Registry", "api", "latest", undefined],
  ])("%s", (input, registry, repository, tag, digest) => {
    const ref = parseReference(input);
    expect({ registry: ref.registry, repository: ref.repository, tag: ref.tag, digest: ref.digest }).toEqual({ registry, repository, tag, digest });
  });

  it("uses defaultRegistry for names without a host and then adds no library/ prefix", () => {
    const ref = parseReference("api:1", { defaultRegistry: "127.0.0.1:5000" });
    expect(ref.toString()).toBe("127.0.0.1:5000/api:1");
  });

  it("prints a parseable string and builds scopes", () => {
    const ref = parseReference(`ghcr.io/acme/api:v1@${D256}`);
    expect(ref.toString()).toBe(`ghcr.io/acme/api:v1@${D256}`);
    expect(parseReference(ref.toString())).toEqual(ref);
    expect(ref.identifier).toBe(D256);
    expect(ref.scope(["pull", "push"])).toBe("repository:acme/api:pull,push");
    expect(parseReference("nginx").identifier).toBe("latest");
  });

  it.each([
    ["", "repository", /empty/],
    ["acme/API", "repository", /must be lowercase/],
    ["acme//api", "repository", /"\/\/"/],
    ["acme/api/", "repository", /must not start or end/],
    ["-acme/api", "repository", /path component "-acme"/],
    ["acme/api_", "repository", /path component "api_"/],
    ["acme/a___b", "repository", /path component "a___b"/],
    ["acme/api:foo bar", "tag", /tag "foo bar" is invalid/],
    [`acme/api:${"x".repeat(129)}`, "tag", /must match/],
    ["acme/api:.hidden", "tag", /must match/],
    ["acme/api@sha256:abc", "digest", /sha256 needs 64 lowercase hex characters/],
    [`acme/api@sha256:${"A".repeat(64)}`, "digest", /lowercase hex/],
    [`acme/api@md5:${"a".repeat(32)}`, "digest", /unsupported algorithm "md5"/],
    ["acme/api@nocolon", "digest", /<algorithm>:<hex>/],
    ["bad_host:5000/x/y", "registry", /registry "bad_host:5000" is invalid/],
    [`${"a".repeat(250)}/${"b".repeat(10)}`, "repository", /at most 255/],
  ])("rejects %j (%s)", (input, field, message) => {
    let error: unknown;
    try {
      parseReference(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidReferenceError);
    expect((error as InvalidReferenceError).field).toBe(field);
    expect((error as InvalidReferenceError).message).toMatch(message);
  });
});

describe("validators", () => {
  it("reports a bad tag with the grammar it must match", () => {
    expect(() => validateTag("Foo bar")).toThrow('tag "Foo bar" is invalid: must match [\\w][\\w.-]{0,127}');
    expect(validateTag("Foo_bar-1.0")).toBe("Foo_bar-1.0");
    expect(validateTag("x".repeat(128))).toHaveLength(128);
  });

  it("checks digests by algorithm", () => {
    expect(validateDigest(D256)).toBe(D256);
    expect(validateDigest(D512)).toBe(D512);
    expect(() => validateDigest(`sha512:${"b".repeat(64)}`)).toThrow(/sha512 needs 128/);
    expect(() => validateDigest(`SHA256:${"a".repeat(64)}`)).toThrow(/algorithm "SHA256"/);
    expect(isDigest(D256)).toBe(true);
    expect(isDigest("latest")).toBe(false);
    expect(isDigest(`sha256:${"a".repeat(63)}`)).toBe(false);
  });

  it("accepts the separators of the distribution grammar only between alphanumerics", () => {
    for (const good of ["a", "a.b", "a_b", "a__b", "a-b", "a---b", "a/b/c", "0/1"]) expect(validateRepository(good)).toBe(good);
    for (const bad of ["a..b", "a._b", ".a", "a.", "a/", "/a", "a b", "ä"]) expect(() => validateRepository(bad)).toThrow(InvalidReferenceError);
  });
});

import { describe, expect, it } from "vitest";
import { InvalidReferenceError, isDigest, validateDigest, validateRepository, validateTag } from "./reference";

const D256 = `sha256:${"a".repeat(64)}`;
const D512 = `sha512:${"b".repeat(128)}`;

describe("the validators name the field and the rule", () => {
  it.each([
    ["", validateRepository, "repository", /empty/],
    ["acme/API", validateRepository, "repository", /must be lowercase/],
    ["acme//api", validateRepository, "repository", /"\/\/"/],
    ["acme/api/", validateRepository, "repository", /must not start or end/],
    ["-acme/api", validateRepository, "repository", /path component "-acme"/],
    ["acme/api_", validateRepository, "repository", /path component "api_"/],
    ["acme/a___b", validateRepository, "repository", /path component "a___b"/],
    ["foo bar", validateTag, "tag", /tag "foo bar" is invalid/],
    ["x".repeat(129), validateTag, "tag", /must match/],
    [".hidden", validateTag, "tag", /must match/],
    ["sha256:abc", validateDigest, "digest", /sha256 needs 64 lowercase hex characters/],
    [`sha256:${"A".repeat(64)}`, validateDigest, "digest", /lowercase hex/],
    [`md5:${"a".repeat(32)}`, validateDigest, "digest", /unsupported algorithm "md5"/],
    ["nocolon", validateDigest, "digest", /<algorithm>:<hex>/],
    [`${"a".repeat(250)}/${"b".repeat(10)}`, validateRepository, "repository", /at most 255/],
  ])("rejects %j", (input, validate, field, message) => {
    let error: unknown;
    try {
      validate(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidReferenceError);
    expect((error as InvalidReferenceError).field).toBe(field);
    expect((error as InvalidReferenceError).message).toMatch(message);
  });

  it("accepts names, tags and digests of the grammar", () => {
    expect(validateRepository("a__b/c--d/e.f")).toBe("a__b/c--d/e.f");
    expect(validateTag("_tag")).toBe("_tag");
    expect(isDigest(D256) && isDigest(D512)).toBe(true);
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

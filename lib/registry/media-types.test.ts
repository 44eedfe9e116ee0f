import { describe, expect, it } from "vitest";
import { nextLink } from "./link";
import {
  detectMediaType,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST_SCHEMA1,
  DOCKER_MANIFEST_SCHEMA2,
  isIndexMediaType,
  MANIFEST_ACCEPT,
  OCI_ARTIFACT_MANIFEST,
  OCI_INDEX,
  OCI_MANIFEST,
} from "./media-types";
import { parseErrorBody, parseRetryAfter, RegistryError, sanitizeUrl } from "./errors";

const bytes = (x: unknown) => new TextEncoder().encode(typeof x === "string" ? x : JSON.stringify(x));

describe("detectMediaType", () => {
  it.each([
    ["Content-Type with parameters wins", { schemaVersion: 2, layers: [] }, `${OCI_MANIFEST}; charset=utf-8`, OCI_MANIFEST],
    ["umoci OCI manifest: no mediaType field, trusted header", { schemaVersion: 2, config: {}, layers: [] }, OCI_MANIFEST, OCI_MANIFEST],
    ["body mediaType when the header is generic", { mediaType: DOCKER_MANIFEST_SCHEMA2, layers: [] }, "application/json", DOCKER_MANIFEST_SCHEMA2],
    ["shape: manifests → index", { schemaVersion: 2, manifests: [] }, "application/octet-stream", OCI_INDEX],
    ["shape: layers → manifest", { schemaVersion: 2, layers: [] }, null, OCI_MANIFEST],
    ["shape: config only → manifest", { schemaVersion: 2, config: { digest: "x" } }, "text/plain", OCI_MANIFEST],
    ["shape: blobs → artifact manifest", { blobs: [] }, undefined, OCI_ARTIFACT_MANIFEST],
    ["schema1", { schemaVersion: 1, fsLayers: [] }, "application/json", DOCKER_MANIFEST_SCHEMA1],
    ["nothing recognisable", { hello: "world" }, "application/json", undefined],
    ["not JSON", "<html>", "text/html", undefined],
  ])("%s", (_name, body, header, expected) => {
    expect(detectMediaType(bytes(body), header)).toBe(expected);
  });

  it("accepts all four manifest types plus the OCI artifact manifest", () => {
    expect([...MANIFEST_ACCEPT].sort()).toEqual([DOCKER_MANIFEST_LIST, DOCKER_MANIFEST_SCHEMA2, OCI_ARTIFACT_MANIFEST, OCI_INDEX, OCI_MANIFEST].sort());
    expect(isIndexMediaType(DOCKER_MANIFEST_LIST)).toBe(true);
    expect(isIndexMediaType(OCI_MANIFEST)).toBe(false);
  });
});

describe("nextLink", () => {
  const base = new URL("http://127.0.0.1:5000/v2/_catalog?n=2");
  it.each([
    ["relative (registry:2)", '</v2/_catalog?last=b&n=2>; rel="next"', "http://127.0.0.1:5000/v2/_catalog?last=b&n=2"],
    ["absolute (Quay)", '<https://quay.io/v2/_catalog?n=100&next_page=gAAAA>; rel="next"', "https://quay.io/v2/_catalog?n=100&next_page=gAAAA"],
    ["unquoted rel and several links", '<https://x/prev>; rel=prev, <https://x/next?last=opaque%3D%3D>; rel=next', "https://x/next?last=opaque%3D%3D"],
    ["rel with several values", '</v2/a?last=z>; rel="last next"', "http://127.0.0.1:5000/v2/a?last=z"],
  ])("%s", (_name, header, expected) => {
    expect(nextLink(header, base)?.href).toBe(expected);
  });

  it("finds nothing without a next link", () => {
    expect(nextLink(null, base)).toBeUndefined();
    expect(nextLink('<https://x/p>; rel="prev"', base)).toBeUndefined();
  });
});

describe("errors", () => {
  it("parses the distribution error body and vendor shapes", () => {
    expect(parseErrorBody('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied","detail":null}]}')).toEqual({
      errors: [{ code: "DENIED", message: "requested access to the resource is denied", detail: null }],
      message: "requested access to the resource is denied",
    });
    expect(parseErrorBody('{"details":"incorrect username or password"}')).toEqual({ errors: [], message: "incorrect username or password" });
    expect(parseErrorBody("You have reached your pull rate limit.\n  Upgrade.")).toEqual({ errors: [], message: "You have reached your pull rate limit. Upgrade." });
    expect(parseErrorBody("<!DOCTYPE html><html>bad gateway</html>")).toEqual({ errors: [] });
  });

  it("parses Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });

  it("strips user info and query secrets from URLs", () => {
    const url = "https://user:pw@bucket.s3.amazonaws.com/blob?X-Amz-Signature=abc&X-Amz-Credential=key&digest=sha256%3A1&n=5#frag";
    const clean = sanitizeUrl(url);
    expect(clean).toBe("https://bucket.s3.amazonaws.com/blob?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&digest=sha256%3A1&n=5");
    const err = new RegistryError({ context: "reading blob", codes: ["DENIED"], status: 403, method: "GET", url });
    expect(err.url).toBe(clean);
    expect(`${err.message} ${err.url}`).not.toMatch(/pw|abc|key/);
  });

  it("classifies temporary failures", () => {
    const make = (status: number | undefined, codes: string[]) => new RegistryError({ context: "x", codes, status, method: "GET", url: "http://h/" });
    expect(make(429, ["TOOMANYREQUESTS"]).isTemporary()).toBe(true);
    expect(make(503, []).isTemporary()).toBe(true);
    expect(make(undefined, ["NETWORK"]).isTemporary()).toBe(true);
    expect(make(undefined, ["TIMEOUT"]).isTemporary()).toBe(true);
    expect(make(404, ["MANIFEST_UNKNOWN"]).isTemporary()).toBe(false);
    expect(make(403, ["DENIED"]).isTemporary()).toBe(false);
    expect(make(undefined, ["DIGEST_MISMATCH"]).isTemporary()).toBe(false);
  });
});

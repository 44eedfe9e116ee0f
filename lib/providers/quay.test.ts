// The Quay provider's REST side against the loopback Quay (test/harness/vendors/quay.ts) serving a
// registry:2 storage layout written by the test: next_page and page pagination, Quay's error
// bodies, path encoding, what changes without the OAuth token.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { RunningRegistry } from "@/test/harness";
import { startQuayStandIn, type QuayStandIn } from "@/test/harness/vendors/quay";
import { writeFakeStorage } from "@/test/harness/vendors/stand-in";
import { RegistryError } from "@/lib/registry";
import { openQuay, parseQuayError, quayRepositoryPath } from "./quay";
import type { Connection } from "./types";

let dir: string;
let quay: QuayStandIn;
let digests: Record<string, string>;
const T0 = new Date("2026-03-01T10:00:00Z");

const conn = (over: Partial<Connection> & { apiToken?: string } = {}): Connection => ({
  kind: "QUAY", endpoint: "http://127.0.0.1:9", apiEndpoint: quay.url, namespace: null, insecure: false,
  credentials: { username: "acme+ci", password: "robot-token", ...(over.apiToken === "" ? {} : { apiToken: over.apiToken ?? "oauth-rw" }) },
  ...over,
});

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "quay-unit-"));
  const layout: Record<string, { tag: string; layerSize: number; at?: Date }[]> = {};
  for (let i = 0; i < 230; i++) layout[`acme/svc-${String(i).padStart(3, "0")}${i % 50 === 7 ? "-web" : ""}`] = [{ tag: "1.0", layerSize: 10 }];
  layout["other/private"] = [{ tag: "1.0", layerSize: 10 }];
  layout["acme/team/app"] = Array.from({ length: 150 }, (_, i) => ({ tag: `v${i}`, layerSize: 1000 + i, at: new Date(T0.getTime() + i * 1000) }));
  layout["acme/shared"] = [{ tag: "a", layerSize: 5 }, { tag: "b", layerSize: 5 }];
  digests = writeFakeStorage(path.join(dir, "data"), layout);
  quay = await startQuayStandIn({ registry: { dataDir: path.join(dir, "data") } as RunningRegistry, tokens: { "oauth-rw": { read: true, write: true }, "oauth-ro": { read: true } } });
});
afterAll(async () => {
  await quay?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("repositories", () => {
  it("follows next_page across Quay's 100-per-page answers, only in the robot's organisation", async () => {
    const p = openQuay(conn());
    const from = quay.log.length;
    const all = await p.listRepositories!({ pageSize: 1000 });
    expect(all.repositories).toHaveLength(232);
    expect(all.repositories.every((r) => r.name.startsWith("acme/"))).toBe(true);
    expect(all.nextCursor).toBeUndefined();
    const calls = quay.log.slice(from);
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.authorization === "Bearer oauth-rw" && c.url.includes("namespace=acme"))).toBe(true);
    expect(calls[1].url).toContain("next_page=");
  });

  it("hands the opaque next_page back as the cursor", async () => {
    const p = openQuay(conn());
    const first = await p.listRepositories!({ pageSize: 100 });
    expect(first.repositories).toHaveLength(100);
    expect(first.nextCursor).toBeTruthy();
    const second = await p.listRepositories!({ pageSize: 100, cursor: first.nextCursor });
    expect(second.repositories[0].name).not.toBe(first.repositories[0].name);
    expect(new Set([...first.repositories, ...second.repositories].map((r) => r.name)).size).toBe(200);
  });

  it("filters by name over as many pages as it takes (Quay has no name filter)", async () => {
    const names = (await openQuay(conn()).listRepositories!({ pageSize: 50, query: "WEB" })).repositories.map((r) => r.name);
    expect(names).toEqual(["acme/svc-007-web", "acme/svc-057-web", "acme/svc-107-web", "acme/svc-157-web", "acme/svc-207-web"]);
  });

  it("an explicit namespace wins over the robot's organisation", async () => {
    const names = (await openQuay(conn({ namespace: "other" })).listRepositories!({ pageSize: 10 })).repositories.map((r) => r.name);
    expect(names).toEqual(["other/private"]);
  });
});

describe("tag metadata", () => {
  it("reads every page of active tags with pushed-at (start_ts) and size, no pusher", async () => {
    const from = quay.log.length;
    const tags = await openQuay(conn()).tagMetadata!("acme/team/app");
    expect(tags).toHaveLength(150);
    const v42 = tags.find((t) => t.tag === "v42")!;
    expect(v42).toEqual({ tag: "v42", digest: digests["acme/team/app:v42"], pushedAt: new Date(T0.getTime() + 42_000).toISOString(), size: 1042 }); // the layers, as Quay reports it
    const calls = quay.log.slice(from).map((c) => new URL(c.url, "http://x"));
    expect(calls.map((u) => u.pathname)).toEqual(["/api/v1/repository/acme/team/app/tag/", "/api/v1/repository/acme/team/app/tag/"]);
    expect(calls.map((u) => [u.searchParams.get("page"), u.searchParams.get("limit"), u.searchParams.get("onlyActiveTags")])).toEqual([["1", "100", "true"], ["2", "100", "true"]]);
  });

  it("encodes each path segment of the repository", () => {
    expect(quayRepositoryPath("acme/team/app")).toBe("/api/v1/repository/acme/team/app");
    expect(quayRepositoryPath("acme/a b")).toBe("/api/v1/repository/acme/a%20b");
  });
});

describe("delete", () => {
  it("deletes one tag through the REST API; the other tag on the manifest stays, and the deleted one is not reported as active", async () => {
    const p = openQuay(conn());
    expect(p.deleteMethod?.scope).toBe("tag");
    expect(digests["acme/shared:a"]).toBe(digests["acme/shared:b"]);
    await p.deleteTag!("acme/shared", "a", digests["acme/shared:a"]);
    const tags = await p.tagMetadata!("acme/shared");
    expect(tags.map((t) => t.tag)).toEqual(["b"]);
    expect(quay.log.at(-2)).toMatchObject({ method: "DELETE", url: "/api/v1/repository/acme/shared/tag/a" });
  });

  it("a read-only token gets Quay's 403 in Quay's words, and the tag stays", async () => {
    const p = openQuay(conn({ apiToken: "oauth-ro" }));
    const err = await p.deleteTag!("acme/shared", "b", digests["acme/shared:b"]).catch((e) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({ status: 403, codes: ["INSUFFICIENT_SCOPE"], registryMessage: "Unauthorized" });
    expect((await p.tagMetadata!("acme/shared")).map((t) => t.tag)).toEqual(["b"]);
  });
});

describe("errors and the missing OAuth token", () => {
  it("a wrong token: 401 with Quay's message, and the token is not in the error", async () => {
    const err = await openQuay(conn({ apiToken: "not-a-token-123" })).listRepositories!({ pageSize: 10 }).catch((e) => e);
    expect(err).toMatchObject({ status: 401, codes: ["INVALID_TOKEN"], registryMessage: "The access token provided is invalid or expired" });
    expect(String(err.message)).not.toContain("not-a-token-123");
    expect(String(err.message)).toContain("Quay");
  });

  it("parses Quay's error body and keeps a non-JSON one as text", () => {
    expect(parseQuayError(JSON.stringify({ detail: "Not Found", error_message: "Not Found", error_type: "not_found", title: "not_found", status: 404 }))).toEqual({ code: "NOT_FOUND", message: "Not Found" });
    expect(parseQuayError("<html>bad gateway</html>")).toEqual({ message: "<html>bad gateway</html>" });
  });

  it("without the OAuth token: no REST listing or metadata, and deletes go by digest", () => {
    const p = openQuay(conn({ apiToken: "" }));
    expect(p.listRepositories).toBeUndefined();
    expect(p.tagMetadata).toBeUndefined();
    expect(p.deleteMethod?.scope).toBe("digest");
  });

  it("refuses to send the token to a plain-http API that is not on loopback", async () => {
    const err = await openQuay(conn({ apiEndpoint: "http://quay.example.com" })).tagMetadata!("acme/x").catch((e) => e);
    expect(err).toMatchObject({ codes: ["UNAUTHORIZED"] });
    expect(err.message).toContain("not https");
  });
});

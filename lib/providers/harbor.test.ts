// The Harbor provider's REST side against the loopback Harbor (test/harness/vendors/harbor.ts)
// serving a registry:2 storage layout written by the test: page/page_size with X-Total-Count and
// Link, the double-encoded repository name, Harbor's error bodies, robot permissions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { RunningRegistry } from "@/test/harness";
import { startHarborStandIn, type HarborStandIn } from "@/test/harness/vendors/harbor";
import { writeFakeStorage } from "@/test/harness/vendors/stand-in";
import { RegistryError } from "@/lib/registry";
import { harborRepositoryPath, openHarbor } from "./harbor";
import type { Connection } from "./types";

let dir: string;
let harbor: HarborStandIn;
let digests: Record<string, string>;
const T0 = new Date("2026-04-01T08:00:00Z");
const ROBOT = "robot$library+ci";

const conn = (over: Partial<Connection> & { username?: string; password?: string } = {}): Connection => ({
  kind: "HARBOR", endpoint: harbor.url, apiEndpoint: null, namespace: null, insecure: false,
  credentials: { username: over.username ?? ROBOT, password: over.password ?? "robot-secret" },
  ...over,
});

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "harbor-unit-"));
  const layout: Record<string, { tag: string; layerSize: number; at?: Date }[]> = {};
  for (let i = 0; i < 120; i++) layout[`library/app-${String(i).padStart(3, "0")}${i % 40 === 3 ? "-web" : ""}`] = [{ tag: "1.0", layerSize: 10 }];
  layout["other/hidden"] = [{ tag: "1.0", layerSize: 10 }];
  layout["library/team/api"] = Array.from({ length: 130 }, (_, i) => ({ tag: `v${i}`, layerSize: 500 + i, at: new Date(T0.getTime() + i * 60_000) }));
  layout["library/shared"] = [{ tag: "a", layerSize: 7 }, { tag: "b", layerSize: 7 }];
  digests = writeFakeStorage(path.join(dir, "data"), layout);
  harbor = await startHarborStandIn({
    registry: { dataDir: path.join(dir, "data") } as RunningRegistry,
    projects: ["library", "other"],
    users: { [ROBOT]: { password: "robot-secret", delete: true, projects: ["library"] }, "robot$library+reader": { password: "reader-secret", projects: ["library"] } },
  });
});
afterAll(async () => {
  await harbor?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("repositories", () => {
  it("pages with page/page_size=100, follows Link/X-Total-Count, names keep the project prefix", async () => {
    const p = openHarbor(conn());
    const first = await p.listRepositories!({ pageSize: 200 });
    expect(first.repositories).toHaveLength(100);
    expect(first.repositories[0].name).toBe("library/app-000");
    expect(first.nextCursor).toBe("2");
    const second = await p.listRepositories!({ pageSize: 200, cursor: first.nextCursor });
    expect(second.repositories).toHaveLength(22); // 120 + team/api + shared
    expect(second.nextCursor).toBeUndefined();
    const calls = harbor.log.slice(-2).map((c) => new URL(c.url, "http://x"));
    expect(calls.map((u) => [u.pathname, u.searchParams.get("page"), u.searchParams.get("page_size")])).toEqual([
      ["/api/v2.0/projects/library/repositories", "1", "100"], ["/api/v2.0/projects/library/repositories", "2", "100"],
    ]);
    expect(harbor.log.at(-1)!.authorization).toBe(`Basic ${Buffer.from(`${ROBOT}:robot-secret`).toString("base64")}`);
  });

  it("filters with Harbor's q=name=~…", async () => {
    const res = await openHarbor(conn()).listRepositories!({ pageSize: 100, query: "web" });
    expect(res.repositories.map((r) => r.name)).toEqual(["library/app-003-web", "library/app-043-web", "library/app-083-web"]);
    expect(new URL(harbor.log.at(-1)!.url, "http://x").searchParams.get("q")).toBe("name=~web");
  });

  it("escapes the q value as Harbor's parser needs: a comma or a stray % is no 400, a slash still matches", async () => {
    const p = openHarbor(conn());
    const calls = harbor.log.length;
    for (const query of ["web,name=x", "we%b", "a+b"]) expect((await p.listRepositories!({ pageSize: 100, query })).repositories).toEqual([]);
    expect(harbor.log.length).toBe(calls);
    const slash = await p.listRepositories!({ pageSize: 100, query: "library/app-003" });
    expect(slash.repositories.map((r) => r.name)).toEqual(["library/app-003-web"]);
    expect(new URL(harbor.log.at(-1)!.url, "http://x").searchParams.get("q")).toBe("name=~library%2Fapp-003");
  });

  it("a project the robot cannot see: Harbor's 403 body, in its words", async () => {
    const err = await openHarbor(conn({ namespace: "other" })).listRepositories!({ pageSize: 10 }).catch((e) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({ status: 403, codes: ["FORBIDDEN"], registryMessage: "forbidden" });
    const missing = await openHarbor(conn({ namespace: "nope" })).listRepositories!({ pageSize: 10 }).catch((e) => e);
    expect(missing).toMatchObject({ status: 404, codes: ["NOT_FOUND"], registryMessage: "project nope not found" });
  });

  it("wrong secret: 401 UNAUTHORIZED, and the secret is not in the error", async () => {
    const err = await openHarbor(conn({ password: "wrong-secret-xyz" })).listRepositories!({ pageSize: 10 }).catch((e) => e);
    expect(err).toMatchObject({ status: 401, codes: ["UNAUTHORIZED"] });
    expect(err.message).not.toContain("wrong-secret-xyz");
  });
});

describe("artifacts", () => {
  it("double-encodes the repository name: a%252Fb", async () => {
    expect(harborRepositoryPath("library/team/api")).toBe("/projects/library/repositories/team%252Fapi");
    expect(harborRepositoryPath("library/app")).toBe("/projects/library/repositories/app");
    // the stand-in, like Harbor's router, finds nothing under a single-encoded name
    const single = await fetch(`${harbor.api}/projects/library/repositories/team%2Fapi/artifacts`, { headers: { authorization: `Basic ${Buffer.from(`${ROBOT}:robot-secret`).toString("base64")}` } });
    expect(single.status).toBe(404);
  });

  it("reads every page of artifacts with tags, push times and sizes", async () => {
    const from = harbor.log.length;
    const tags = await openHarbor(conn()).tagMetadata!("library/team/api");
    expect(tags).toHaveLength(130);
    expect(tags.find((t) => t.tag === "v77")).toEqual({ tag: "v77", digest: digests["library/team/api:v77"], pushedAt: new Date(T0.getTime() + 77 * 60_000).toISOString(), size: 577 });
    const calls = harbor.log.slice(from).map((c) => new URL(c.url, "http://x"));
    expect(calls.map((u) => u.pathname)).toEqual(Array(2).fill("/api/v2.0/projects/library/repositories/team%252Fapi/artifacts"));
    expect(calls.map((u) => [u.searchParams.get("with_tag"), u.searchParams.get("page"), u.searchParams.get("page_size")])).toEqual([["true", "1", "100"], ["true", "2", "100"]]);
  });
});

describe("delete", () => {
  it("untags through the API: the other tag on the artifact stays", async () => {
    const p = openHarbor(conn());
    expect(p.deleteMethod?.scope).toBe("tag");
    await p.deleteTag!("library/shared", "a", digests["library/shared:a"]);
    expect(harbor.log.at(-1)).toMatchObject({ method: "DELETE", url: `/api/v2.0/projects/library/repositories/shared/artifacts/${digests["library/shared:a"]}/tags/a` });
    expect((await p.tagMetadata!("library/shared")).map((t) => t.tag)).toEqual(["b"]);
  });

  it("a robot without delete gets 403 and the tag stays; a tag that moved off the digest is 404", async () => {
    const reader = openHarbor(conn({ username: "robot$library+reader", password: "reader-secret" }));
    const err = await reader.deleteTag!("library/shared", "b", digests["library/shared:b"]).catch((e) => e);
    expect(err).toMatchObject({ status: 403, codes: ["FORBIDDEN"] });
    const moved = await openHarbor(conn()).deleteTag!("library/shared", "b", digests["library/team/api:v1"]).catch((e) => e);
    expect(moved).toMatchObject({ status: 404, codes: ["NOT_FOUND"] });
    expect((await reader.tagMetadata!("library/shared")).map((t) => t.tag)).toEqual(["b"]);
  });
});

it("the API endpoint defaults to <endpoint>/api/v2.0 and the project to the robot's", async () => {
  const { harbor: def } = await import("./harbor");
  expect(def.defaultApiEndpoint!(conn({ endpoint: "https://harbor.example.com/" }))).toBe("https://harbor.example.com/api/v2.0");
  const names = (await openHarbor(conn()).listRepositories!({ pageSize: 100 })).repositories.map((r) => r.name);
  expect(names.every((n) => n.startsWith("library/"))).toBe(true);
});

// Table tests for the webhook parsers: what is kept, what is ignored, what is refused.
import { describe, expect, it } from "vitest";
import { parseDistribution, parseDockerHub, parseGitHub, parseHarbor, parseQuay, WebhookPayloadError } from "./index";

const D = "sha256:" + "1".repeat(64);
const ev = (action: string, target: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: `id-${Math.random()}`, timestamp: "2026-11-27T00:00:00.123Z", action,
  target: { repository: "team/app", ...target }, request: { addr: "10.1.2.3:4567", method: "PUT" }, actor: { name: "alice" }, ...extra,
});

describe("registry:2 notifications", () => {
  it.each([
    ["a tagged manifest push", ev("push", { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: D, tag: "1.0", size: 10 }), 1],
    ["a Docker schema 2 push", ev("push", { mediaType: "application/vnd.docker.distribution.manifest.v2+json", digest: D, tag: "1.0" }), 1],
    ["an index push", ev("push", { mediaType: "application/vnd.oci.image.index.v1+json", digest: D, tag: "1.0" }), 1],
    ["a blob push", ev("push", { mediaType: "application/octet-stream", digest: D }), 0],
    ["a layer push", ev("push", { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: D }), 0],
    ["a manifest pushed by digest (index child)", ev("push", { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: D }), 0],
    ["a pull (also what a blob HEAD looks like)", ev("pull", { mediaType: "application/octet-stream", digest: D }), 0],
    ["a manifest pull by tag", ev("pull", { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: D, tag: "1.0" }), 0],
    ["a mount", ev("mount", { mediaType: "application/octet-stream", digest: D, fromRepository: "x/y" }), 0],
    ["a manifest delete", ev("delete", { digest: D }, { actor: {} }), 1],
    ["a tag delete", ev("delete", { tag: "1.0" }, { actor: {} }), 1],
    ["an event without target", { id: "x", action: "push" }, 0],
  ])("%s", (_name, e, kept) => {
    const r = parseDistribution({ events: [e] });
    expect(r.events).toHaveLength(kept);
    expect(r.ignored).toBe(1 - kept);
  });

  it("keeps what the event says and no more", () => {
    const e = ev("push", { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: D, tag: "1.0", size: 10 });
    const [got] = parseDistribution({ events: [e] }).events;
    expect(got).toEqual({
      id: e.id, action: "push", repository: "team/app", tag: "1.0", digest: D, actor: "alice", at: new Date("2026-11-27T00:00:00.123Z"),
      mediaType: "application/vnd.oci.image.manifest.v1+json", size: 10, clientAddress: "10.1.2.3", source: "distribution",
    });
    const [del] = parseDistribution({ events: [ev("delete", { digest: D }, { actor: {} })] }).events;
    expect(del.actor).toBe("unknown");
    expect(del.tag).toBeNull();
  });

  it("refuses what is not an envelope", () => {
    expect(() => parseDistribution({})).toThrow(WebhookPayloadError);
    expect(() => parseDistribution([])).toThrow(WebhookPayloadError);
    expect(parseDistribution({ events: [] })).toEqual({ events: [], ignored: 0 });
  });
});

describe("vendor payloads", () => {
  it("Harbor: one event per resource; other event types ignored", () => {
    const body = { type: "PUSH_ARTIFACT", occur_at: 1764201601, operator: "bob", event_data: { resources: [{ digest: D, tag: "a" }, { digest: D, tag: "b" }], repository: { name: "web", namespace: "p", repo_full_name: "p/web" } } };
    const r = parseHarbor(body);
    expect(r.events.map((e) => [e.action, e.repository, e.tag, e.actor])).toEqual([["push", "p/web", "a", "bob"], ["push", "p/web", "b", "bob"]]);
    expect(r.events[0].id).not.toBe(r.events[1].id);
    expect(parseHarbor(body).events[0].id).toBe(r.events[0].id); // stable across retries
    expect(parseHarbor({ ...body, type: "SCANNING_COMPLETED" })).toEqual({ events: [], ignored: 2 });
    expect(() => parseHarbor({ foo: 1 })).toThrow(WebhookPayloadError);
  });

  it("Docker Hub: no digest, the pusher as actor", () => {
    const r = parseDockerHub({ push_data: { pushed_at: 1764201600, pusher: "p", tag: "t" }, repository: { repo_name: "n/r" } });
    expect(r.events[0]).toMatchObject({ action: "push", repository: "n/r", tag: "t", digest: null, actor: "p", at: new Date(1764201600_000) });
    expect(() => parseDockerHub({ push_data: {} })).toThrow(WebhookPayloadError);
  });

  it("Quay: one push per updated tag, no actor, no id", () => {
    const r = parseQuay({ repository: "a/b", updated_tags: ["x", "y"] });
    expect(r.events.map((e) => [e.tag, e.actor, e.id])).toEqual([["x", "unknown", null], ["y", "unknown", null]]);
  });

  it("GitHub: package and registry_package; ping and other package types ignored", () => {
    const version = { id: 7, name: D, container_metadata: { tag: { name: "v1", digest: D } } };
    const pkg = { name: "API", namespace: "Acme", package_type: "CONTAINER", package_version: version };
    const a = parseGitHub({ action: "published", package: pkg, sender: { login: "octo" } }, "package", "d1");
    expect(a.events[0]).toMatchObject({ repository: "acme/api", tag: "v1", digest: D, actor: "octo", id: "github-7:v1:published" });
    const legacy = parseGitHub({ action: "published", registry_package: { ...pkg, package_type: "docker" }, sender: { login: "octo" } }, "registry_package", "d2");
    expect(legacy.events).toHaveLength(1);
    expect(parseGitHub({ zen: "x" }, "ping", "d3")).toEqual({ events: [], ignored: 1 });
    expect(parseGitHub({ action: "published", package: { ...pkg, package_type: "npm" } }, "package", "d4")).toEqual({ events: [], ignored: 1 });
    expect(parseGitHub({ action: "published", package: { ...pkg, package_version: { id: 8, name: D } } }, "package", null).events[0]).toMatchObject({ tag: null, digest: D, actor: "unknown" });
  });
});

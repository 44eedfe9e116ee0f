// Table tests for the webhook parsers: what is kept, what is ignored, what is refused.
import { describe, expect, it } from "vitest";
import * as V from "@/test/fixtures/webhooks/vendors";
import { parseDistribution, parseDockerHub, parseEcr, parseGitHub, parseGooglePubSub, parseHarbor, parseQuay, timeOf, WebhookPayloadError } from "./index";

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

  it("Quay: one push per updated tag, no actor; an id from the content, the same for a replay", () => {
    const r = parseQuay({ repository: "a/b", updated_tags: ["x", "y"] });
    expect(r.events.map((e) => [e.tag, e.actor])).toEqual([["x", "unknown"], ["y", "unknown"]]);
    expect(r.events[0].id).toMatch(/^quay-[0-9a-f]{32}$/);
    expect(r.events[0].id).not.toBe(r.events[1].id);
    expect(parseQuay({ repository: "a/b", updated_tags: ["x", "y"] }).events.map((e) => e.id)).toEqual(r.events.map((e) => e.id));
  });

  it("GitHub: package and registry_package; ping and other package types ignored", () => {
    const version = { id: 7, name: D, container_metadata: { tag: { name: "v1", digest: D } } };
    const pkg = { name: "API", namespace: "Acme", package_type: "CONTAINER", package_version: version };
    const a = parseGitHub({ action: "published", package: pkg, sender: { login: "octo" } }, "package", "d1");
    expect(a.events[0]).toMatchObject({ repository: "acme/api", tag: "v1", digest: D, actor: "octo", id: "github-7:v1:published" });
    const legacy = parseGitHub({ action: "published", registry_package: { ...pkg, package_type: "docker" }, sender: { login: "octo" } }, "registry_package", "d2");
    expect(legacy.events).toHaveLength(1);
    expect(parseGitHub({ zen: "x" }, "ping", "d3")).toEqual({ events: [], ignored: 1, test: { what: "GitHub ping" } });
    expect(parseGitHub({ action: "published", package: { ...pkg, package_type: "npm" } }, "package", "d4")).toEqual({ events: [], ignored: 1 });
    // a version with no tag (pushed by digest) moves no tag
    expect(parseGitHub({ action: "published", package: { ...pkg, package_version: { id: 8, name: D } } }, "package", null)).toEqual({ events: [], ignored: 1 });
  });
});

describe("the vendors' documented payloads (test/fixtures/webhooks/vendors.ts)", () => {
  it("Harbor: the digest in `tag` is a push by digest, never a tag named sha256:…", () => {
    expect(parseHarbor(V.harborDefaultPushByDigest)).toEqual({ events: [], ignored: 1 });
    expect(parseHarbor(V.harborDefaultPullExample)).toEqual({ events: [], ignored: 1 });
    const [push] = parseHarbor(V.harborDefaultPushTagged).events;
    expect(push).toMatchObject({ action: "push", repository: "library/busybox", tag: "1.36", actor: "robot$library+ci" });
    // a delete of an untagged artifact names the digest as its tag: a delete of the digest, tag null
    const del = parseHarbor({ ...V.harborDefaultPullExample, type: "DELETE_ARTIFACT" }).events[0];
    expect(del).toMatchObject({ action: "delete", tag: null, digest: V.harborDefaultPullExample.event_data.resources[0].digest, wholeArtifact: true });
  });

  it("Harbor: CloudEvents are read like the Default format, with one id for the same event in both", () => {
    const [ce] = parseHarbor(V.harborCloudEventsPush).events;
    expect(ce).toMatchObject({ action: "push", repository: "library/busybox", tag: "1.37", actor: "robot$library+ci", at: new Date("2023-03-06T06:10:00Z"), source: "harbor" });
    expect(parseHarbor(V.harborCloudEventsPullExample)).toEqual({ events: [], ignored: 1 });
    const asDefault = { type: "PUSH_ARTIFACT", occur_at: Date.parse(V.harborCloudEventsPush.time) / 1000, operator: V.harborCloudEventsPush.operator, event_data: V.harborCloudEventsPush.data };
    expect(parseHarbor(asDefault).events[0].id).toBe(ce.id);
    // Harbor formats the payload again (a new CloudEvents id) on a retry: same key
    expect(parseHarbor({ ...V.harborCloudEventsPush, id: "another-uuid" }).events[0].id).toBe(ce.id);
  });

  it("GitHub: the owner from owner.login (namespace may be owner/repo); year 1 is no push time", () => {
    expect(parseGitHub(V.githubPackagePublishedExample, "package", "x")).toEqual({ events: [], ignored: 1 }); // tag.name ""
    const [e] = parseGitHub(V.githubPackagePublishedTagged, "package", "x").events;
    expect(e).toMatchObject({ repository: "codertocat/hello-world-npm", tag: "nightly", actor: "Codertocat", digest: "sha256:3da1996a8115d7616457760d9920b815241d0a03b34cf5f04e9a0e9d8de37498" });
    expect(e.at?.getUTCFullYear()).toBe(2019);
    const noOwner = { ...V.githubPackagePublishedTagged, package: { ...V.githubPackagePublishedTagged.package, owner: undefined } };
    expect(parseGitHub(noOwner, "package", "x").events[0].repository).toBe("octocoders/hello-world-npm");
    expect(timeOf("0001-01-01T00:00:00Z")).toBeNull();
    expect(timeOf(0)).toBeNull();
  });

  it("registry:2: the doc's pull records nothing; a delete { repository, digest } is marked for the service to tell blob from manifest", () => {
    expect(parseDistribution(V.distributionPullExample)).toEqual({ events: [], ignored: 1 });
    expect(parseDistribution(V.distributionPush).events[0]).toMatchObject({ action: "push", repository: "hello-world", tag: "latest", actor: "ci" });
    const [del] = parseDistribution(V.distributionDeleteByDigest(D, "d-1")).events;
    expect(del).toMatchObject({ action: "delete", tag: null, digest: D, ambiguousDelete: true });
    const blobWithType = { events: [{ ...V.distributionDeleteByDigest(D, "d-2").events[0], target: { digest: D, repository: "hello-world", mediaType: "application/octet-stream" } }] };
    expect(parseDistribution(blobWithType)).toEqual({ events: [], ignored: 1 });
    // an event without an id gets one from its content: a replay keeps it
    const noId = { events: [{ ...V.distributionPush.events[0], id: undefined }] };
    expect(parseDistribution(noId).events[0].id).toMatch(/^distribution-[0-9a-f]{32}$/);
    expect(parseDistribution(noId).events[0].id).toBe(parseDistribution(noId).events[0].id);
  });

  it("Quay: list and object updated_tags, the Test Notification, other events ignored", () => {
    expect(parseQuay(V.quayRepoPush, { namespace: "acme" }).events.map((e) => e.tag)).toEqual(["3.1"]);
    expect(parseQuay(V.quayRepoPushDocs, { namespace: "acme" }).events.map((e) => e.tag)).toEqual(["latest"]);
    expect(parseQuay(V.quayTestNotification, { namespace: "acme" })).toMatchObject({ events: [], test: { what: expect.stringContaining("acme/worker") } });
    expect(parseQuay({ ...V.quayRepoPush, repository: "other/thing" }, { namespace: "acme" })).toMatchObject({ events: [], test: {} });
    expect(parseQuay(V.quayBuildSuccess, { namespace: "acme" })).toEqual({ events: [], ignored: 1 });
  });

  it("ECR: EventBridge ECR Image Action; a malformed digest is dropped, not kept; other detail types and accounts ignored", () => {
    const [push] = parseEcr(V.ecrPushExample).events;
    expect(push).toMatchObject({ id: "ecr-13cde686-328b-6117-af20-0e5566167482", action: "push", repository: "my-repository-name", tag: "latest", digest: null, actor: "unknown", at: new Date("2019-11-16T01:54:34Z") });
    expect(parseEcr(V.ecrPush).events[0].digest).toBe(V.ECR_DIGEST);
    expect(parseEcr(V.ecrDeleteByDigest).events[0]).toMatchObject({ action: "delete", tag: null, digest: V.ECR_DIGEST, wholeArtifact: true });
    expect(parseEcr(V.ecrScan)).toEqual({ events: [], ignored: 1 });
    expect(parseEcr({ ...V.ecrPush, detail: { ...V.ecrPush.detail, result: "FAILURE" } })).toEqual({ events: [], ignored: 1 });
    expect(parseEcr(V.ecrPush, { endpoint: "https://123456789012.dkr.ecr.us-west-2.amazonaws.com" }).events).toHaveLength(1);
    expect(parseEcr(V.ecrPush, { endpoint: "https://210987654321.dkr.ecr.us-west-2.amazonaws.com" }).events).toHaveLength(0);
    expect(() => parseEcr("x")).toThrow(WebhookPayloadError);
  });

  it("Google: Pub/Sub push of the gcr topic; only this registry's host and namespace", () => {
    const host = "europe-docker.pkg.dev";
    const ctx = { endpoint: `https://${host}`, namespace: "my-project/my-repo" };
    const insert = V.googlePush(host, { action: "INSERT", digest: `${host}/my-project/my-repo/hello-world@${V.GOOGLE_DIGEST}`, tag: `${host}/my-project/my-repo/hello-world:1.1` }, "136969346945");
    expect(parseGooglePubSub(insert, ctx).events[0]).toMatchObject({ id: "google-136969346945", action: "push", repository: "my-project/my-repo/hello-world", tag: "1.1", digest: V.GOOGLE_DIGEST, actor: "unknown" });
    const byDigest = V.googlePush(host, { action: "INSERT", digest: `${host}/my-project/my-repo/hello-world@${V.GOOGLE_DIGEST}` }, "2");
    expect(parseGooglePubSub(byDigest, ctx)).toEqual({ events: [], ignored: 1 });
    const del = V.googlePush(host, { action: "DELETE", digest: `${host}/my-project/my-repo/hello-world@${V.GOOGLE_DIGEST}` }, "3");
    expect(parseGooglePubSub(del, ctx).events[0]).toMatchObject({ action: "delete", tag: null, wholeArtifact: true });
    const elsewhere = V.googlePush("us-docker.pkg.dev", { action: "INSERT", tag: "us-docker.pkg.dev/my-project/my-repo/x:1" }, "4");
    expect(parseGooglePubSub(elsewhere, ctx)).toEqual({ events: [], ignored: 1 });
    const otherRepo = V.googlePush(host, { action: "INSERT", tag: `${host}/my-project/other/x:1` }, "5");
    expect(parseGooglePubSub(otherRepo, ctx)).toEqual({ events: [], ignored: 1 });
    expect(() => parseGooglePubSub({ message: { data: "!!!" } }, ctx)).toThrow(WebhookPayloadError);
  });
});

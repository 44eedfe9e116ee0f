// Nothing published by accident: the promote plan shows who may pull the source and the target as
// the vendors report it (Docker Hub `is_private`, GitHub package `visibility`, through the vendor
// stand-ins), a private or unknown-visibility image going into a public repository is stopped in
// the plan with the reason, and a real request goes through only with the publishing grant
// (mayPublish: global admins until teams' grants extend it) and `confirmPublish: true`, never where
// the target registry's publishPolicy is FORBID. Every refusal is one audit event (denied, with the
// reason) and writes nothing to the target (checked with skopeo and the registry's access log).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as promotions from "@/app/api/v1/promotions/route";
import * as collection from "@/app/api/v1/registries/route";
import * as one from "@/app/api/v1/registries/[id]/route";
import { db } from "@/lib/db";
import { stopBoss } from "@/lib/jobs/boss";
import { startWorkers } from "@/lib/services/workers";
import { buildImage, pushImage, skopeoInspect, startRegistry, type RunningRegistry } from "../harness";
import { startDockerHub, type DockerHubStandIn } from "../harness/vendors/dockerhub";
import { startGitHubApi, type GitHubApi } from "../harness/vendors/github";
import { packageState } from "../harness/vendors/package-state";
import { call, userWithToken, waitForPromotion } from "../support/api";

const PAT = "dckr_pat_publish_0123456789";
let hubBacking: RunningRegistry;
let hub: DockerHubStandIn;
let alice: RunningRegistry;
let ghcr: RunningRegistry;
let gh: GitHubApi;
let plain: RunningRegistry;
let admin: string;
let operator: string;
const ids: Record<string, string> = {};
const digests: Record<string, string> = {};

const promote = (token: string, body: unknown) => call(promotions.POST, { token, method: "POST", body });
const src = (registry: string, repository: string, reference: string) => ({ registryId: ids[registry], repository, reference });
const dst = (registry: string, repository: string, tag: string) => ({ registryId: ids[registry], repository, tag });

const waitFor = (id: string) => waitForPromotion(admin, id);

/** the audit events of one target since `after` */
const events = (registryId: string, repository: string, tag: string, after: bigint) =>
  db.auditEvent.findMany({ where: { registryId, repository, tag, id: { gt: after } }, orderBy: { id: "asc" } });
const lastEventId = async () => (await db.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0n;
/** requests that could have written into `repository` of `reg` since the log had `from` lines */
const writes = (reg: RunningRegistry, repository: string, from: number) =>
  reg.accessLog().slice(from).filter((e) => e.method !== "GET" && e.method !== "HEAD" && e.path.startsWith(`/v2/${repository}/`));

async function expectAbsent(reg: RunningRegistry, ref: string) {
  await expect(skopeoInspect(reg, ref)).rejects.toThrow(/manifest unknown|not found|MANIFEST_UNKNOWN|NAME_UNKNOWN/i);
}

beforeAll(async () => {
  [hubBacking, ghcr, plain] = await Promise.all([
    startRegistry({ mode: "token", name: "publish-hub" }),
    startRegistry({ mode: "token", name: "publish-ghcr", users: { alice: "ghp_publish_alice" } }),
    startRegistry({ mode: "open", name: "publish-plain" }),
  ]);
  hub = await startDockerHub({
    registry: hubBacking,
    users: { alice: { password: "alice-hub-password", pats: { [PAT]: "delete" }, orgs: ["acme"] } },
    privateRepositories: ["acme/internal"],
  });
  alice = hub.as("alice", PAT);
  const [a, b, c] = await Promise.all([buildImage({ labels: { v: "internal" } }), buildImage({ labels: { v: "site" } }), buildImage({ labels: { v: "plain" } })]);
  [digests["hub:acme/internal:1.0"], digests["hub:acme/site:1.0"], digests["plain:team/app:1.0"], digests["ghcr:acme/public-api:0.1"], digests["ghcr:acme/secret:1.0"]] = await Promise.all([
    pushImage(alice, "acme/internal:1.0", a),
    pushImage(alice, "acme/site:1.0", b),
    pushImage(plain, "team/app:1.0", c),
    pushImage(ghcr, "acme/public-api:0.1", b),
    pushImage(ghcr, "acme/secret:1.0", a),
  ]);
  gh = await startGitHubApi({
    state: packageState(ghcr), owner: "acme", ownerType: "Organization", publicPackages: ["public-api"],
    tokens: { ghp_publish_alice: { login: "alice", scopes: ["read:packages", "write:packages", "delete:packages"] } },
  });
  admin = (await userWithToken("ADMIN")).token;
  operator = (await userWithToken("OPERATOR")).token;
  const add = async (name: string, body: Record<string, unknown>) => {
    const r = await call(collection.POST, { token: admin, method: "POST", body: { name, ...body } });
    expect(r.status, r.text).toBe(201);
    ids[name] = r.json.id;
  };
  await add("hub", { kind: "DOCKERHUB", endpoint: hub.registryUrl, apiEndpoint: hub.hubUrl, namespace: "acme", credentials: { username: "alice", password: PAT } });
  await add("ghcr", { kind: "GHCR", endpoint: ghcr.url, apiEndpoint: gh.url, namespace: "acme", credentials: { username: "alice", password: "ghp_publish_alice" } });
  await add("plain", { kind: "GENERIC", endpoint: plain.url });
  await startWorkers();
}, 120_000);

afterAll(async () => {
  await stopBoss();
  await hub?.stop();
  await gh?.stop();
  await Promise.all([hubBacking?.stop(), ghcr?.stop(), plain?.stop()]);
});

describe("the promote plan shows visibility as the vendors report it", () => {
  it("private → public on Docker Hub: the plan stops for a confirmation and says why, in the future tense", async () => {
    const r = await promote(admin, { source: src("hub", "acme/internal", "1.0"), target: dst("hub", "acme/site", "internal-1.0"), dryRun: true });
    expect(r.status, r.text).toBe(200);
    expect(r.json.plan.visibility).toMatchObject({
      source: { visibility: "private", basis: "Docker Hub: is_private true" },
      target: { visibility: "public", exists: true, basis: "Docker Hub: is_private false" },
      publishes: true, confirmationRequired: true,
    });
    expect(r.json.plan.visibility.notes.join(" ")).toContain("This will publish an image from hub/acme/internal (private) into hub/acme/site, which is public: anyone will be able to pull it.");
    expect(r.json.plan.blockers).toEqual([]);
  });

  it("an operator's plan is stopped: publishing needs the grant", async () => {
    const r = await promote(operator, { source: src("hub", "acme/internal", "1.0"), target: dst("hub", "acme/site", "internal-1.0"), dryRun: true, confirmPublish: true });
    expect(r.status, r.text).toBe(200);
    expect(r.json.plan.visibility).toMatchObject({ publishes: true, confirmationRequired: false });
    expect(r.json.plan.blockers).toEqual(["you may not publish into hub/acme/site: copying an image from hub/acme/internal (private) into a public repository needs the publishing grant"]);
  });

  it("unknown (registry:2) → public GHCR package: stopped too; → a private package or a new one (GitHub creates it private): nothing to confirm", async () => {
    const pub = await promote(admin, { source: src("plain", "team/app", "1.0"), target: dst("ghcr", "acme/public-api", "1.0"), dryRun: true });
    expect(pub.json.plan.visibility).toMatchObject({
      source: { visibility: "unknown" }, target: { visibility: "public", exists: true, basis: "GitHub package visibility: public" }, publishes: true, confirmationRequired: true,
    });
    const priv = await promote(admin, { source: src("plain", "team/app", "1.0"), target: dst("ghcr", "acme/secret", "1.0"), dryRun: true });
    expect(priv.json.plan.visibility).toMatchObject({ target: { visibility: "private", exists: true }, publishes: false, confirmationRequired: false });
    const fresh = await promote(admin, { source: src("hub", "acme/internal", "1.0"), target: dst("ghcr", "acme/brand-new", "1.0"), dryRun: true });
    expect(fresh.json.plan.visibility).toMatchObject({ source: { visibility: "private" }, target: { visibility: "private", exists: false }, publishes: false });
    expect(fresh.json.plan.visibility.notes).toEqual(["ghcr/acme/brand-new does not exist yet: the push will create it private (GitHub creates a new container package private)."]);
  });

  it("a new Docker Hub repository is called out: the push will create it public", async () => {
    const r = await promote(admin, { source: src("plain", "team/app", "1.0"), target: dst("hub", "acme/brand-new", "1.0"), dryRun: true });
    expect(r.json.plan.visibility).toMatchObject({ target: { visibility: "public", exists: false }, publishes: true, confirmationRequired: true });
    expect(r.json.plan.visibility.notes[0]).toBe("hub/acme/brand-new does not exist yet: the push will create it public (Docker Hub creates a pushed repository public unless the account's default privacy is private).");
  });
});

describe("a real promotion into a public repository", () => {
  it("without confirmPublish: 409, one denied audit event with the reason, nothing written", async () => {
    const after = await lastEventId();
    const log = hubBacking.accessLog().length;
    const r = await promote(admin, { source: src("hub", "acme/internal", "1.0"), target: dst("hub", "acme/site", "leak") });
    expect(r.status, r.text).toBe(409);
    expect(r.json.error).toMatchObject({ code: "PUBLISH_NOT_CONFIRMED", details: { confirm: "confirmPublish", source: "private", target: "public" } });
    const audit = await events(ids.hub, "acme/site", "leak", after);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "promote", outcome: "denied", digest: digests["hub:acme/internal:1.0"] });
    expect((audit[0].details as { reason: string }).reason).toContain("confirm the publication");
    expect(writes(hubBacking, "acme/site", log)).toEqual([]);
    await expectAbsent(alice, "acme/site:leak");
  });

  it("confirmed but without the publishing grant (an operator): 403, denied, nothing written", async () => {
    const after = await lastEventId();
    const log = ghcr.accessLog().length;
    const r = await promote(operator, { source: src("plain", "team/app", "1.0"), target: dst("ghcr", "acme/public-api", "leak"), confirmPublish: true });
    expect(r.status, r.text).toBe(403);
    expect(r.json.error.message).toContain("needs the publishing grant");
    const audit = await events(ids.ghcr, "acme/public-api", "leak", after);
    expect(audit.map((e) => e.outcome)).toEqual(["denied"]);
    expect(writes(ghcr, "acme/public-api", log)).toEqual([]);
    await expectAbsent(ghcr, "acme/public-api:leak");
  });

  it("with the grant and the confirmation it goes through (same digest, checked with skopeo)", async () => {
    const r = await promote(admin, { source: src("hub", "acme/internal", "1.0"), target: dst("hub", "acme/site", "published"), confirmPublish: true });
    expect(r.status, r.text).toBe(202);
    expect(await waitFor(r.json.id)).toMatchObject({ state: "succeeded" });
    expect((await skopeoInspect(alice, "acme/site:published")).Digest).toBe(digests["hub:acme/internal:1.0"]);
    const r2 = await promote(admin, { source: src("plain", "team/app", "1.0"), target: dst("ghcr", "acme/public-api", "published"), confirmPublish: true });
    expect(r2.status, r2.text).toBe(202);
    expect(await waitFor(r2.json.id)).toMatchObject({ state: "succeeded" });
    expect((await skopeoInspect(ghcr, "acme/public-api:published")).Digest).toBe(digests["plain:team/app:1.0"]);
  });

  it("private → private needs no confirmation", async () => {
    const r = await promote(operator, { source: src("hub", "acme/internal", "1.0"), target: dst("ghcr", "acme/secret", "copy") });
    expect(r.status, r.text).toBe(202);
    expect(await waitFor(r.json.id)).toMatchObject({ state: "succeeded" });
  });

  it("a registry whose publishPolicy is FORBID refuses even an admin who confirmed; the plan says so", async () => {
    const patch = await call(one.PATCH, { token: admin, method: "PATCH", params: { id: ids.ghcr }, body: { publishPolicy: "FORBID" } });
    expect(patch.status, patch.text).toBe(200);
    expect(patch.json.publishPolicy).toBe("FORBID");
    try {
      const plan = await promote(admin, { source: src("plain", "team/app", "1.0"), target: dst("ghcr", "acme/public-api", "forbidden"), dryRun: true, confirmPublish: true });
      expect(plan.json.plan.visibility).toMatchObject({ publishes: true, confirmationRequired: false });
      expect(plan.json.plan.blockers).toEqual(["ghcr forbids publishing into its public repositories (Settings → Registries); plain/team/app is of unknown visibility and ghcr/acme/public-api is public"]);
      const after = await lastEventId();
      const log = ghcr.accessLog().length;
      const r = await promote(admin, { source: src("plain", "team/app", "1.0"), target: dst("ghcr", "acme/public-api", "forbidden"), confirmPublish: true });
      expect(r.status, r.text).toBe(403);
      expect(r.json.error.message).toContain("ghcr forbids publishing");
      const audit = await events(ids.ghcr, "acme/public-api", "forbidden", after);
      expect(audit.map((e) => [e.outcome, (e.details as { reason: string }).reason])).toEqual([["denied", r.json.error.message]]);
      expect(writes(ghcr, "acme/public-api", log)).toEqual([]);
      await expectAbsent(ghcr, "acme/public-api:forbidden");
      // a private target stays allowed under FORBID: nothing is published
      const priv = await promote(admin, { source: src("plain", "team/app", "1.0"), target: dst("ghcr", "acme/secret", "fine"), dryRun: true });
      expect(priv.json.plan.blockers).toEqual([]);
    } finally {
      await call(one.PATCH, { token: admin, method: "PATCH", params: { id: ids.ghcr }, body: { publishPolicy: "ALLOW_WITH_CONFIRMATION" } });
    }
  });
});

// Signed-only promotion against a real registry:2: cosign signatures built from the documented
// format (test/harness/cosign.ts says why no signing tool runs here), checked with Regatta's
// verifier through the API; refused promotions audited as denied, and skopeo sees nothing written.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as promotions from "@/app/api/v1/promotions/route";
import * as rules from "@/app/api/v1/protection-rules/route";
import * as collection from "@/app/api/v1/registries/route";
import * as badges from "@/app/api/v1/registries/[id]/signatures/route";
import * as keys from "@/app/api/v1/signing-keys/route";
import * as key from "@/app/api/v1/signing-keys/[id]/route";
import { db } from "@/lib/db";
import { stopBoss } from "@/lib/jobs/boss";
import { runPromotion } from "@/lib/services/promotion-run";
import { startWorkers } from "@/lib/services/workers";
import { skopeoListTags, startRegistry, type RunningRegistry } from "../harness";
import { pushReferrer } from "../harness/artifacts";
import { cosignSign, signingPair } from "../harness/cosign";
import { pushBlob, pushDistinctImage } from "../harness/distinct-images";
import { call, userWithToken, waitForPromotion } from "../support/api";

let reg: RunningRegistry;
let registryId: string;
let admin: string;
let operator: string;
const trusted = signingPair("ecdsa-p256");
const stranger = signingPair("ecdsa-p256");
const d: Record<string, string> = {};

const promote = (body: unknown, token = operator) => call(promotions.POST, { token, method: "POST", body });
const body = (tag: string, target: string, extra: Record<string, unknown> = {}) => ({
  source: { registryId, repository: "staging/app", reference: d[tag] }, target: { registryId, repository: target.split(":")[0], tag: target.split(":")[1] }, ...extra,
});
const waitFor = (id: string) => waitForPromotion(admin, id);
async function badge(reference: string, repository = "staging/app") {
  const q = new URLSearchParams({ repository, reference });
  const res = await badges.GET(new Request(`http://127.0.0.1:3000/api/v1/registries/${registryId}/signatures?${q}`, { headers: { authorization: `Bearer ${operator}` } }), { params: Promise.resolve({ id: registryId }) });
  return { status: res.status, json: await res.json() };
}
const prodTags = async (repo = "prod/app") => skopeoListTags(reg, repo).catch(() => [] as string[]);
const denials = (tag: string) => db.auditEvent.findMany({ where: { tag, outcome: "denied" } });

beforeAll(async () => {
  reg = await startRegistry({ mode: "open", name: "signatures" });
  const layerBytes = crypto.randomBytes(512);
  const layer = { digest: await pushBlob(reg, "staging/app", layerBytes), size: layerBytes.length };
  for (const t of ["good", "referrer", "wrongkey", "tampered", "mismatch", "unsigned", "late", "sbom"]) d[t] = (await pushDistinctImage(reg, "staging/app", t, layer)).digest;
  await cosignSign(reg, "staging/app", d.good!, trusted.privateKey);
  await cosignSign(reg, "staging/app", d.referrer!, trusted.privateKey, { mode: "referrer" });
  await cosignSign(reg, "staging/app", d.wrongkey!, stranger.privateKey);
  await cosignSign(reg, "staging/app", d.tampered!, trusted.privateKey, { tamper: true });
  await cosignSign(reg, "staging/app", d.mismatch!, trusted.privateKey, { payloadDigest: d.good });
  await cosignSign(reg, "staging/app", d.sbom!, trusted.privateKey);
  admin = (await userWithToken("ADMIN")).token;
  operator = (await userWithToken("OPERATOR")).token;
  registryId = (await call(collection.POST, { token: admin, method: "POST", body: { name: "signatures", kind: "GENERIC", endpoint: reg.url } })).json.id;
  await startWorkers();
}, 120_000);

afterAll(async () => {
  await stopBoss();
  await reg?.stop();
});

describe("signing keys", () => {
  it("refuses keys that are not ECDSA P-256, Ed25519 or RSA public keys with a clear 400, and stores nothing", async () => {
    const before = await db.signingKey.count();
    const cases = [
      [crypto.generateKeyPairSync("ec", { namedCurve: "secp384r1" }).publicKey.export({ type: "spki", format: "pem" }).toString(), /P-256/],
      [trusted.privateKey.export({ type: "pkcs8", format: "pem" }).toString(), /BEGIN PUBLIC KEY/],
      ["-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", /not a readable public key/],
    ] as const;
    for (const [pem, message] of cases) {
      const r = await call(keys.POST, { token: admin, method: "POST", body: { name: "bad", publicKeyPem: pem } });
      expect(r.status).toBe(400);
      expect(r.json.error.message).toMatch(message);
    }
    expect((await call(keys.POST, { token: admin, method: "POST", body: { publicKeyPem: trusted.publicKeyPem } })).status).toBe(422);
    expect((await call(keys.POST, { token: operator, method: "POST", body: { name: "op", publicKeyPem: trusted.publicKeyPem } })).status).toBe(403);
    expect(await db.signingKey.count()).toBe(before);
  });

  it("adds a key (shown with algorithm and fingerprint, never asked twice under one name) and deletes one", async () => {
    const r = await call(keys.POST, { token: admin, method: "POST", body: { name: "release key", publicKeyPem: trusted.publicKeyPem } });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ name: "release key", algorithm: "ecdsa-p256", fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect((await call(keys.POST, { token: admin, method: "POST", body: { name: "release key", publicKeyPem: trusted.publicKeyPem } })).status).toBe(409);
    const extra = await call(keys.POST, { token: admin, method: "POST", body: { name: "old key", publicKeyPem: signingPair("ed25519").publicKeyPem } });
    expect((await call(key.DELETE, { token: admin, method: "DELETE", params: { id: extra.json.id } })).status).toBe(204);
    // other files of the suite leave keys of their own in the shared database: look at ours only
    const names = (await call(keys.GET, { token: admin })).json.keys.map((k: { name: string }) => k.name);
    expect(names).toContain("release key");
    expect(names).not.toContain("old key");
  });
});

describe("badges on the tag page", () => {
  it.each([
    ["good", { state: "verified", detail: "release key" }],
    ["referrer", { state: "verified", detail: "release key" }],
    ["wrongkey", { state: "unverified", reason: "no configured signing key verifies the signature" }],
    ["tampered", { state: "unverified", reason: "no configured signing key verifies the signature" }],
    ["mismatch", { state: "unverified", reason: expect.stringContaining("the signature is for") }],
    ["unsigned", { state: "missing" }],
  ])("%s → %j", async (tag, expected) => {
    const r = await badge(tag);
    expect(r.status).toBe(200);
    expect(r.json.signature).toEqual(expected);
    expect(r.json.sbom).toEqual({ state: "missing" });
  });

  it("404 for a tag that does not exist", async () => {
    expect((await badge("absent")).status).toBe(404);
  });
});

describe("the gate", () => {
  beforeAll(async () => {
    const r = await call(rules.POST, { token: admin, method: "POST", body: { registryId, repositoryGlob: "prod/*", tagGlob: "*", requireSignature: true, reason: "signed releases only" } });
    expect(r.status).toBe(201);
    const s = await call(rules.POST, { token: admin, method: "POST", body: { registryId, repositoryGlob: "sbom/*", tagGlob: "*", requireArtifactType: "application/spdx+json" } });
    expect(s.status).toBe(201);
    expect((await call(rules.POST, { token: admin, method: "POST", body: { repositoryGlob: "x/*", tagGlob: "*", requireArtifactType: "not a media type" } })).status).toBe(422);
  });

  it("the plan says what is required and that nothing is missing for a verified signature; the promotion lands", async () => {
    const plan = await promote(body("good", "prod/app:good", { dryRun: true }));
    expect(plan.status).toBe(200);
    expect(plan.json.plan.gate).toEqual({ requires: ["a cosign signature verified by a configured signing key"], missing: [] });
    expect(plan.json.plan.blockers).toEqual([]);
    const run = await promote(body("good", "prod/app:good"));
    expect(run.status).toBe(202);
    expect((await waitFor(run.json.id)).state).toBe("succeeded");
    const ref = await promote(body("referrer", "prod/app:referrer"));
    expect((await waitFor(ref.json.id)).state).toBe("succeeded");
    expect(await prodTags()).toEqual(expect.arrayContaining(["good", "referrer"]));
  });

  it.each([
    ["wrongkey", "no configured signing key verifies the signature"],
    ["tampered", "no configured signing key verifies the signature"],
    ["mismatch", "the signature is for"],
    ["unsigned", "no cosign signature of"],
  ])("%s: the plan blocks it with the reason, the request is refused 403 and audited as denied, nothing is written", async (tag, reason) => {
    const plan = await promote(body(tag, `prod/app:${tag}`, { dryRun: true }));
    expect(plan.json.plan.gate.missing).toEqual([expect.stringContaining(reason)]);
    expect(plan.json.plan.blockers).toEqual([expect.stringContaining(reason)]);
    const r = await promote(body(tag, `prod/app:${tag}`));
    expect(r.status).toBe(403);
    expect(r.json.error.message).toContain(reason);
    expect(await denials(tag)).toHaveLength(1);
    expect(await db.promotion.count({ where: { targetTag: tag } })).toBe(0);
    expect(await prodTags()).not.toContain(tag);
  });

  it("the run checks again: a queued promotion whose signature is gone fails, audited as denied, and writes nothing", async () => {
    const row = await db.promotion.create({
      data: { sourceRegistryId: registryId, sourceRepository: "staging/app", sourceReference: d.late!, targetRegistryId: registryId, targetRepository: "prod/app", targetTag: "late", kind: "promote", digest: d.late!, requestedBy: "ci@example.com" },
    });
    const done = await runPromotion(row.id);
    expect(done.state).toBe("FAILED");
    expect(done.error).toContain("no cosign signature of");
    expect(await denials("late")).toMatchObject([{ action: "promote", actor: "ci@example.com" }]);
    expect(await prodTags()).not.toContain("late");
  });

  it("a required SBOM referrer: missing refuses, present lets it through and shows on the badge", async () => {
    const refused = await promote({ ...body("sbom", "sbom/app:1"), target: { registryId, repository: "sbom/app", tag: "1" } });
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toContain("no referrer of type application/spdx+json");
    await pushReferrer(reg, "staging/app", d.sbom!, "application/spdx+json", JSON.stringify({ spdxVersion: "SPDX-2.3" }));
    expect((await badge("sbom")).json).toMatchObject({ signature: { state: "verified" }, sbom: { state: "present", detail: "application/spdx+json" } });
    const ok = await promote({ ...body("sbom", "sbom/app:1"), target: { registryId, repository: "sbom/app", tag: "1" } });
    expect(ok.status).toBe(202);
    expect((await waitFor(ok.json.id)).state).toBe("succeeded");
    expect(await prodTags("sbom/app")).toEqual(["1"]);
  });
});

// Signed-only promotion by click: an admin adds a signing key, a protection rule requires a
// verified cosign signature; the tag page shows the badges, the promote plan says what is
// required and what is missing, and Promote stays disabled with the reason. Screenshots at
// desktop and phone sizes.
import { expect as baseExpect, test } from "./fixtures";

// each badge is a registry round trip and a verification on a shared, heavily loaded machine
const expect = baseExpect.configure({ timeout: 45_000 });
import { skopeoListTags, startRegistry, type RunningRegistry } from "../test/harness";
import { cosignSign, signingPair } from "../test/harness/cosign";
import { pushBlob, pushDistinctImage } from "../test/harness/distinct-images";
import { gotoManifest, planPromotion, screenshot } from "./helpers";

let reg: RunningRegistry;
let registryId: string;
const run = Date.now().toString(36);
const name = `signatures-${run}`;
const trusted = signingPair("ecdsa-p256");
const stranger = signingPair("ecdsa-p256");

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  reg = await startRegistry({ mode: "open", name: "signatures-e2e" });
  const layerBytes = new TextEncoder().encode("api layer ".repeat(100));
  const layer = { digest: await pushBlob(reg, "rel/api", layerBytes), size: layerBytes.length };
  const signed = await pushDistinctImage(reg, "rel/api", "1.4.2", layer);
  await pushDistinctImage(reg, "rel/api", "1.5.0-rc1", layer);
  const wrong = await pushDistinctImage(reg, "rel/api", "1.4.3", layer);
  await cosignSign(reg, "rel/api", signed.digest, trusted.privateKey);
  await cosignSign(reg, "rel/api", wrong.digest, stranger.privateKey, { mode: "referrer" });
  const res = await request.post("/api/v1/registries", { data: { name, kind: "GENERIC", endpoint: reg.url } });
  expect(res.status()).toBe(201);
  registryId = (await res.json()).id;
  const rule = await request.post("/api/v1/protection-rules", { data: { registryId, repositoryGlob: "prod/*", tagGlob: "*", requireSignature: true, reason: "signed releases only" } });
  expect(rule.status()).toBe(201);
});

test.afterAll(async () => {
  await reg?.stop();
});

test("an admin adds a signing key; a key that is not a public key is refused with the reason", async ({ page }) => {
  await page.goto("/settings/signing-keys");
  const form = page.getByRole("form", { name: "Add signing key" });
  await form.getByLabel("Name").fill(`bad ${run}`);
  await form.getByLabel("Public key (PEM)").fill(trusted.privateKey.export({ type: "pkcs8", format: "pem" }).toString());
  await form.getByRole("button", { name: "Add key" }).click();
  await expect(page.getByTestId("error")).toContainText("BEGIN PUBLIC KEY");
  await expect(page.getByTestId("signing-keys")).not.toContainText(`bad ${run}`);
  await form.getByLabel("Name").fill(`release ${run}`);
  await form.getByLabel("Public key (PEM)").fill(trusted.publicKeyPem);
  await form.getByRole("button", { name: "Add key" }).click();
  await expect(page.getByTestId("signing-keys")).toContainText(`release ${run}`);
  await expect(page.getByTestId("signing-keys")).toContainText("ECDSA P-256");
  await screenshot(page, "signing-keys");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "signing-keys-phone");
});

test("a verified signature: the badge names the key, the plan says nothing is missing, and the promotion lands", async ({ page }) => {
  await gotoManifest(page, registryId, "rel/api", "1.4.2");
  await expect(page.getByTestId("signature-badge")).toHaveText(`✓Signature verified · release ${run}`);
  await expect(page.getByTestId("sbom-badge")).toHaveText("–no sbom");
  const dialog = await planPromotion(page, { registry: name, repository: "prod/api", tag: "1.4.2" });
  await expect(dialog.getByTestId("plan-gate")).toContainText("The target requires a cosign signature verified by a configured signing key.");
  await expect(dialog.getByTestId("plan-gate")).toContainText("All present and verified");
  await screenshot(page, "signature-verified-plan");
  await dialog.getByRole("button", { name: "Promote", exact: true }).click();
  await expect(dialog.getByTestId("promotion-state")).toHaveText("succeeded", { timeout: 30_000 });
  expect(await skopeoListTags(reg, "prod/api")).toEqual(["1.4.2"]);
});

test("no signature, or one no key verifies: badges say so, Promote is disabled with what is missing, nothing is written", async ({ page }) => {
  await gotoManifest(page, registryId, "rel/api", "1.4.3");
  await expect(page.getByTestId("signature-badge")).toHaveText("✗Signature not verified");
  await expect(page.getByTestId("supply-chain")).toContainText("no configured signing key verifies the signature");
  await gotoManifest(page, registryId, "rel/api", "1.5.0-rc1");
  await expect(page.getByTestId("signature-badge")).toHaveText("–no signature");
  await screenshot(page, "signature-missing-tag-page");
  const dialog = await planPromotion(page, { registry: name, repository: "prod/api", tag: "1.5.0" });
  await expect(dialog.getByTestId("plan-gate")).toContainText("Missing: no cosign signature of sha256:");
  await expect(dialog.getByTestId("promote-blocked")).toContainText("prod/api:1.5.0 requires a cosign signature verified by a configured signing key");
  await expect(dialog.getByRole("button", { name: "Promote", exact: true })).toBeDisabled();
  await screenshot(page, "signature-missing-plan");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "signature-missing-plan-phone");
  expect(await skopeoListTags(reg, "prod/api")).toEqual(["1.4.2"]);
});

import fs from "node:fs";
import { expect, type Locator, type Page } from "@playwright/test";
import { skopeoInspect, type RunningRegistry } from "../test/harness";

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // a password hash takes seconds on a busy shared machine
  await expect(page).toHaveURL(/\/$/, { timeout: 30_000 });
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: true });
}

/** The tag (or digest) page of one repository. */
export function gotoManifest(page: Page, registryId: string, repository: string, reference: string) {
  return page.goto(`/registries/${registryId}/manifest?repository=${encodeURIComponent(repository)}&reference=${encodeURIComponent(reference)}`);
}

/** The id of the registry shown as `name` (as the registries API lists it). */
export async function registryIdByName(page: Page, name: string): Promise<string> {
  const { registries } = (await (await page.request.get("/api/v1/registries")).json()) as { registries: { id: string; name: string }[] };
  return registries.find((r) => r.name === name)!.id;
}

export interface PromotionTarget { registry: string; repository: string; tag: string }

/** From a tag page: Promote… → target → Plan (dry run); the dialog, for what the caller checks next. */
export async function planPromotion(page: Page, target: PromotionTarget) {
  await page.getByRole("button", { name: "Promote…" }).click();
  const dialog = page.getByRole("dialog", { name: "Promote" });
  await dialog.getByLabel("Target registry").selectOption({ label: target.registry });
  await dialog.getByLabel("Repository").fill(target.repository);
  await dialog.getByLabel("Tag").fill(target.tag);
  await dialog.getByRole("button", { name: "Plan (dry run)" }).click();
  return dialog;
}

/**
 * From a tag page: Promote… → target → plan (dry run) → Promote, until the job says succeeded. A
 * plan that publishes (a private or unknown-visibility source, a public target) is confirmed, as
 * the admin running these specs means to: the visibility guard has its own spec (visibility.spec.ts).
 */
export async function promoteFromTagPage(page: Page, target: PromotionTarget) {
  const dialog = await planPromotion(page, target);
  await expect(dialog.getByTestId("plan")).toBeVisible();
  const publish = dialog.getByRole("checkbox", { name: /^Publish it/ });
  if (await publish.isVisible()) await publish.check();
  await dialog.getByRole("button", { name: "Promote", exact: true }).click();
  await expect(dialog.getByTestId("promotion-state")).toHaveText("succeeded", { timeout: 30_000 });
  return dialog;
}

/**
 * The vendor specs' one step sequence: open the tag page of `from`, promote to `target`, and check
 * with skopeo (a client Regatta did not write) that `check` now names `digest`. `close` shuts the dialog.
 */
export async function promoteAndVerify(
  page: Page,
  from: [registryId: string, repository: string, reference: string],
  target: PromotionTarget,
  check: [registry: RunningRegistry, reference: string, digest: string],
  opts: { close?: boolean } = {},
): Promise<Locator> {
  await gotoManifest(page, ...from);
  const dialog = await promoteFromTagPage(page, target);
  if (opts.close) await dialog.getByRole("button", { name: "Close" }).click();
  expect((await skopeoInspect(check[0], check[1])).Digest).toBe(check[2]);
  return dialog;
}

/** The connect form once the kind is chosen: the name, the kind's fields, a screenshot, Add; the new table row. */
export async function submitConnectForm(page: Page, name: string, fields: [label: string | RegExp, value: string, exact?: boolean][], shot: string): Promise<Locator> {
  await page.getByLabel("Name", { exact: true }).fill(name);
  for (const [label, value, exact] of fields) await page.getByLabel(label, exact ? { exact } : undefined).fill(value);
  await screenshot(page, shot);
  await page.getByRole("button", { name: "Add registry" }).click();
  return page.getByTestId("registries-table").getByRole("row").filter({ hasText: name });
}

/**
 * A registry's secrets stay on the server: not in the registries API answer, not in the Settings
 * page, not in the server's log (everything the server printed during the run so far).
 */
export async function expectSecretsKeptOnServer(page: Page, secrets: string[]) {
  const api = await (await page.request.get("/api/v1/registries")).text();
  await page.goto("/settings/registries");
  await expect(page.getByRole("heading", { name: "Registries" }).first()).toBeVisible();
  const html = await page.content();
  const log = fs.readFileSync(process.env.E2E_SERVER_LOG!, "utf8");
  for (const secret of secrets) {
    expect(secret.length, "a secret to look for").toBeGreaterThan(8);
    expect(api, "the registries API answer").not.toContain(secret);
    expect(html, "the Settings page").not.toContain(secret);
    expect(log, "the server log").not.toContain(secret);
  }
}

/**
 * From a tag page: Delete… → the in-page dialog (which names every tag going) → the digest typed →
 * Delete. Returns the dialog's text as it asked.
 */
export async function deleteFromTagPage(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Delete…" }).click();
  const dialog = page.getByRole("dialog", { name: /^Delete/ });
  const digest = dialog.getByTestId("delete-digest");
  await expect(digest).toBeVisible();
  const asked = await dialog.innerText();
  await dialog.getByLabel(/Type the digest/).fill(await digest.innerText());
  await dialog.getByRole("button", { name: /^Delete/ }).click();
  return asked;
}

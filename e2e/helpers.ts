import { expect, type Page } from "@playwright/test";

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: true });
}

/** The tag (or digest) page of one repository. */
export function gotoManifest(page: Page, registryId: string, repository: string, reference: string) {
  return page.goto(`/registries/${registryId}/manifest?repository=${encodeURIComponent(repository)}&reference=${encodeURIComponent(reference)}`);
}

/** From a tag page: Promote… → target → plan (dry run) → Promote, until the job says succeeded. */
export async function promoteFromTagPage(page: Page, target: { registry: string; repository: string; tag: string }) {
  await page.getByRole("button", { name: "Promote…" }).click();
  const dialog = page.getByRole("dialog", { name: "Promote" });
  await dialog.getByLabel("Target registry").selectOption({ label: target.registry });
  await dialog.getByLabel("Repository").fill(target.repository);
  await dialog.getByLabel("Tag").fill(target.tag);
  await dialog.getByRole("button", { name: "Plan (dry run)" }).click();
  await expect(dialog.getByTestId("plan")).toBeVisible();
  await dialog.getByRole("button", { name: "Promote", exact: true }).click();
  await expect(dialog.getByTestId("promotion-state")).toHaveText("succeeded", { timeout: 30_000 });
  return dialog;
}

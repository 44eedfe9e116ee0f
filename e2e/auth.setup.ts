import { expect, test as setup } from "@playwright/test";
import { ADMIN } from "./global-setup";
import { signIn } from "./helpers";

setup("admin signs in", async ({ page }) => {
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByTestId("whoami")).toContainText(ADMIN.email);
  await page.context().storageState({ path: ".test-data/e2e/admin.json" });
});

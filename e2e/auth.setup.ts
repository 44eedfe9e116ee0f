import { expect, test as setup } from "./fixtures";
import path from "node:path";
import { ADMIN, E2E_DIR } from "./global-setup";
import { signIn } from "./helpers";

setup("admin signs in", async ({ page }) => {
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByTestId("whoami")).toContainText(ADMIN.email);
  await page.context().storageState({ path: path.join(E2E_DIR, "admin.json") });
});

// Global search and the digest page's "where else" and referrers, against two real registries
// (open and htpasswd) filled by the background sync ("Sync now" on the registry page).
import { expect, test } from "./fixtures";
import { buildImage, pushImage, retag, skopeoInspect, startRegistry, type RunningRegistry } from "../test/harness";
import { pushReferrer } from "../test/harness/artifacts";
import { screenshot } from "./helpers";

let a: RunningRegistry;
let b: RunningRegistry;
const ids: Record<string, string> = {};
const run = Date.now().toString(36);
const repoA = `acme/api-${run}`;
const repoB = `mirror/api-${run}`;
let digest: string;

test.beforeAll(async ({ request }) => {
  test.setTimeout(180_000);
  [a, b] = await Promise.all([startRegistry({ mode: "open", name: "e2e-search-a" }), startRegistry({ mode: "htpasswd", name: "e2e-search-b" })]);
  const image = await buildImage({ labels: { app: "api" } });
  digest = await pushImage(a, `${repoA}:1.0`, image);
  await pushImage(b, `${repoB}:1.0`, image);
  await retag(a, repoA, "1.0", `rc-${run}`);
  await retag(b, repoB, "1.0", "stable");
  await pushReferrer(a, repoA, digest, "application/vnd.dev.cosign.artifact.sig.v1+json", "signature");
  await pushReferrer(a, repoA, digest, "application/spdx+json", JSON.stringify({ spdxVersion: "SPDX-2.3" }));
  for (const [name, r] of Object.entries({ a, b })) {
    const credentials = r.username ? { username: r.username, password: r.password } : undefined;
    const res = await request.post("/api/v1/registries", { data: { name: `search-${name}-${run}`, kind: "GENERIC", endpoint: r.url, credentials } });
    expect(res.status()).toBe(201);
    ids[name] = (await res.json()).id;
  }
});

test.afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

test("Sync now fills the index; / opens search; arrows and Enter land on the tag page", async ({ page }) => {
  for (const id of [ids.a, ids.b]) {
    await page.goto(`/registries/${id}`);
    await expect(page.getByTestId("sync-status")).toBeVisible();
    await page.getByTestId("sync-now").click();
    await expect(page.getByTestId("sync-status")).toContainText("Last synced", { timeout: 30_000 });
    await expect(page.getByTestId("sync-status")).toContainText(id === ids.a ? "3 tags" : "2 tags");
    if (id === ids.a) await screenshot(page, "registry-sync");
  }
  await page.goto("/");
  await page.locator("body").press("/");
  const input = page.getByTestId("search-input");
  await expect(input).toBeFocused();
  await input.fill(run);
  const results = page.getByTestId("search-results");
  await expect(results.getByRole("group", { name: "Repositories" }).getByRole("option")).toHaveCount(2);
  await expect(results.getByRole("group", { name: "Tags" }).getByRole("option")).toHaveCount(1);
  await expect(results.getByRole("group", { name: "Repositories" })).toContainText(repoA);
  await expect(results.getByRole("group", { name: "Repositories" })).toContainText(`search-b-${run}`);
  await screenshot(page, "search");
  // two repositories, then the tag: the third option
  await input.press("ArrowDown");
  await input.press("ArrowDown");
  await expect(results.getByRole("option", { selected: true })).toContainText(`rc-${run}`);
  await input.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/registries/${ids.a}/manifest\\?repository=${encodeURIComponent(repoA)}&reference=rc-${run}`));
  await expect(page.getByTestId("digest")).toHaveText((await skopeoInspect(a, `${repoA}:rc-${run}`)).Digest);
  // Esc closes without going anywhere
  await page.keyboard.press("Control+k");
  await expect(input).toBeVisible();
  await input.press("Escape");
  await expect(input).toBeHidden();
  // repo:tag typed and Enter at once, before any answer: the first hit of that text opens
  await page.keyboard.press("Control+k");
  await input.fill(`${repoB}:stable`);
  await input.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/registries/${ids.b}/manifest\\?repository=${encodeURIComponent(repoB)}&reference=stable`));
  await expect(page.getByTestId("digest")).toHaveText(digest);
});

test("Ctrl-K, a digest prefix: the digest page shows where else across two registries and its referrers", async ({ page }) => {
  for (const id of [ids.a, ids.b]) expect((await page.request.post(`/api/v1/registries/${id}/sync`)).status()).toBe(202);
  await page.goto("/");
  await page.keyboard.press("Control+k");
  const input = page.getByTestId("search-input");
  await input.fill(digest.slice(7, 19));
  const digests = page.getByTestId("search-results").getByRole("group", { name: "Digests" }).getByRole("option");
  await expect(digests).toHaveCount(2);
  await screenshot(page, "search-digest");
  await input.press("Enter");
  await expect(page).toHaveURL(new RegExp(`reference=${encodeURIComponent(digest)}`));
  await expect(page.getByTestId("digest")).toHaveText(digest);

  const where = page.getByTestId("where-else");
  await expect(where).toContainText(`search-a-${run}`);
  await expect(where).toContainText(`search-b-${run}`);
  await expect(where).toContainText("4 tags in 2 registries");
  await expect(where.getByRole("link", { name: "stable" })).toBeVisible();
  const referrers = page.getByTestId("referrers").getByTestId("referrer");
  await expect(referrers).toHaveCount(2);
  await expect(page.getByTestId("referrers")).toContainText("cosign signature");
  await expect(page.getByTestId("referrers")).toContainText("SPDX SBOM");
  await screenshot(page, "digest-where-else");

  // the other registry's tag, then back through a referrer's own page
  await where.getByRole("link", { name: "stable" }).click();
  await expect(page).toHaveURL(new RegExp(`/registries/${ids.b}/manifest`));
  await expect(page.getByTestId("digest")).toHaveText((await skopeoInspect(b, `${repoB}:stable`)).Digest);
  await page.goBack();
  await referrers.filter({ hasText: "cosign signature" }).getByRole("link").click();
  await expect(page.getByTestId("kind")).toHaveText("artifact");
});

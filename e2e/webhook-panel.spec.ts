// The settings page's webhook panel per kind: what to configure where the registry sends its events from
// (ECR: EventBridge rule, API destination and connection; Google: gcloud Pub/Sub push; GitLab.com: polling).
// Screenshots at desktop and phone (390 px) widths.
import { generateKeyPairSync } from "node:crypto";
import { expect, test, type Page } from "./fixtures";
import { screenshot } from "./helpers";

const run = Date.now().toString(36);

async function create(page: Page, data: Record<string, unknown>) {
  const r = await page.request.post("/api/v1/registries", { data });
  expect(r.status(), await r.text()).toBe(201);
  return (await r.json()).id as string;
}

async function openPanel(page: Page, name: string) {
  await page.goto("/settings/registries");
  await page.getByRole("row").filter({ hasText: name }).getByRole("button", { name: "Webhook" }).click();
  return page.getByTestId("webhook-panel");
}

test("ECR: the EventBridge connection, API destination and rule, with CLI and console steps", async ({ page, baseURL }) => {
  const name = `ecr-hook-${run}`;
  const id = await create(page, { name, kind: "ECR", endpoint: "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com", credentials: { region: "eu-west-1" } });
  const panel = await openPanel(page, name);
  await expect(panel).toContainText("EventBridge");
  await panel.getByRole("button", { name: "Make a webhook secret" }).click();
  const secret = (await panel.getByTestId("webhook-secret").innerText()).split(/\s/)[0]!;
  expect(secret).toMatch(/^rwh_/);
  const [cli, console] = [panel.getByTestId("webhook-snippet").nth(0), panel.getByTestId("webhook-snippet").nth(1)];
  await expect(cli).toContainText(`"ApiKeyName":"Authorization","ApiKeyValue":"Bearer ${secret}"`);
  await expect(cli).toContainText(`--invocation-endpoint ${baseURL}/api/v1/webhooks/registry/${id}`);
  await expect(cli).toContainText(`"detail-type":["ECR Image Action"]`);
  await expect(cli).toContainText("RoleArn=arn:aws:iam::123456789012:role/regatta-eventbridge");
  await expect(cli).toContainText("--region eu-west-1");
  await expect(console).toContainText("EventBridge → Integration → Connections → Create connection");
  await expect(console).toContainText("ECR Image Action");
  await page.setViewportSize({ width: 1280, height: 900 });
  await panel.scrollIntoViewIfNeeded();
  await screenshot(page, "webhook-ecr");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "webhook-ecr-phone");
  // the panel fits the phone's screen (its snippets scroll inside it)
  const box = (await panel.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(390);
});

test("Google: the exact gcloud commands for a Pub/Sub push on the gcr topic", async ({ page, baseURL }) => {
  const name = `gar-hook-${run}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key = { type: "service_account", project_id: "my-project", client_email: "regatta@my-project.iam.gserviceaccount.com", private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), token_uri: "https://oauth2.googleapis.com/token" };
  const id = await create(page, { name, kind: "GOOGLE", endpoint: "https://europe-docker.pkg.dev", namespace: "my-project/my-repo", credentials: { serviceAccountJson: JSON.stringify(key) } });
  const panel = await openPanel(page, name);
  await expect(panel).toContainText("Pub/Sub topic gcr");
  await panel.getByRole("button", { name: "Make a webhook secret" }).click();
  const secret = (await panel.getByTestId("webhook-secret").innerText()).split(/\s/)[0]!;
  const url = `${baseURL}/api/v1/webhooks/registry/${id}`;
  const oidc = panel.getByTestId("webhook-snippet").nth(0);
  await expect(oidc).toContainText("gcloud pubsub subscriptions create regatta --project=my-project --topic=gcr");
  await expect(oidc).toContainText(`--push-endpoint=${url}`);
  await expect(oidc).toContainText("--push-auth-service-account=regatta-push@my-project.iam.gserviceaccount.com");
  await expect(oidc).toContainText(`--push-auth-token-audience=${secret}`);
  await expect(panel.getByTestId("webhook-snippet").nth(1)).toContainText(`--push-endpoint='${url}?secret=${secret}'`);
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, "webhook-google");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "webhook-google-phone");
});

test("GitLab.com: no webhook to set up; says Regatta polls", async ({ page }) => {
  const name = `gitlab-hook-${run}`;
  await create(page, { name, kind: "GITLAB", endpoint: "https://registry.gitlab.com", namespace: "acme/web", credentials: { username: "bot", password: "glpat-xxxxxxxxxxxxxxxxxxxx" } });
  const panel = await openPanel(page, name);
  await expect(panel.getByTestId("webhook-polling")).toContainText("GitLab.com sends no container registry events");
  await expect(panel.getByTestId("webhook-polling")).toContainText("sync schedule");
  await expect(panel.getByRole("button", { name: "Make a webhook secret" })).toHaveCount(0);
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, "webhook-gitlab-com");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "webhook-gitlab-com-phone");
});

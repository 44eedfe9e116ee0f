// Settings → Notifications: a rule made in the UI, its secret shown once, a test event that a
// loopback receiver gets signed, a receiver that is down ending "failed" in the delivery log, and
// neither the secret nor the URL's path in the server's log. The global setup starts the app with
// REGATTA_NOTIFY_ALLOW_PRIVATE=1 (the receiver is on 127.0.0.1) and quick retries.
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "./fixtures";
import { expectSecretsKeptOnServer, screenshot } from "./helpers";

test("a notification rule from the UI delivers a signed test; a receiver that is down ends failed", async ({ page }) => {
  test.setTimeout(120_000);
  const got: { path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      got.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.end("ok");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const downPort = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));

  try {
    await page.goto("/settings/notifications");
    await expect(page.getByRole("heading", { name: "Notifications" })).toBeVisible();
    // a generic webhook: its secret is shown once
    await page.getByLabel("Name").fill("release feed");
    await page.getByLabel("Receiver").selectOption("WEBHOOK");
    await page.getByLabel("URL").fill(`${base}/hooks/release-feed-path`);
    await page.getByLabel("Promotion denied").check();
    await page.getByRole("button", { name: "Add rule" }).click();
    const secret = (await page.getByTestId("new-secret").textContent())!;
    expect(secret).toMatch(/^rgs_/);
    await page.getByRole("button", { name: "Done" }).click();
    await expect(page.getByTestId("new-secret")).toHaveCount(0);
    // a Slack receiver that is down
    await page.getByLabel("Name").fill("slack prod");
    await page.getByLabel("Receiver").selectOption("SLACK");
    await page.getByLabel("URL").fill(`http://127.0.0.1:${downPort}/services/T0/B0/slacksecretpart`);
    await page.getByLabel("Repositories").fill("acme/*");
    await page.getByRole("button", { name: "Add rule" }).click();
    const rules = page.getByRole("table", { name: "Notification rules" });
    await expect(rules.getByRole("row", { name: /slack prod/ })).toContainText("acme/*");
    await expect(rules).not.toContainText("slacksecretpart");

    await page.getByRole("button", { name: "Send a test to release feed" }).click();
    await page.getByRole("button", { name: "Send a test to slack prod" }).click();
    await expect.poll(() => got.length, { timeout: 30_000 }).toBe(1);
    const hit = got[0]!;
    expect(hit.path).toBe("/hooks/release-feed-path");
    const ts = String(hit.headers["x-regatta-timestamp"]);
    expect(hit.headers["x-regatta-signature"]).toBe(`sha256=${createHmac("sha256", secret).update(`${ts}.${hit.body}`).digest("hex")}`);

    const log = page.getByRole("region", { name: "Delivery log" });
    await expect(log.getByRole("row", { name: /release feed/ }).getByTestId("delivery-state")).toHaveText("delivered", { timeout: 30_000 });
    await expect(log.getByRole("row", { name: /slack prod/ }).getByTestId("delivery-state")).toHaveText("failed", { timeout: 60_000 });
    await expect(log.getByRole("row", { name: /slack prod/ })).toContainText("unreachable");
    await expect(log).not.toContainText("slacksecretpart");
    await screenshot(page, "settings-notifications");
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "settings-notifications-phone");
    await page.setViewportSize({ width: 1280, height: 720 });
    await expectSecretsKeptOnServer(page, [secret, "slacksecretpart"]);
  } finally {
    await new Promise((r) => receiver.close(r));
  }
});

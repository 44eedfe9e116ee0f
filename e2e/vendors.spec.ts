// Every vendor kind from the UI, one step sequence over a table of the vendors' data: add it with
// the connect form, test the connection, browse to the tag table (with the vendor's own pushed-at
// or created-at), retag inside it, delete one tag (where the vendor's API deletes one), promote to
// and from a plain registry:2, and no secret in the API, the Settings page or the server log.
// Each vendor is a loopback stand-in answering as its published API does, in front of a real
// registry:2 (test/harness/vendors); skopeo (a client Regatta did not write) checks every digest.
// What one vendor alone does (Docker Hub's pull budget and 429, ECR's PutImage and immutable
// repositories, Google's pasted JSON key, GitLab's created-not-pushed) stays as a row's hook.
// One plain registry:2 is shared by all rows: each row promotes into its own repository there.
import { expect, test, type Page } from "./fixtures";
import { pushImage, skopeoInspect, skopeoListTags, startRegistry, type RunningRegistry } from "../test/harness";
import { startDockerHub, type DockerHubStandIn } from "../test/harness/vendors/dockerhub";
import { startEcr } from "../test/harness/vendors/ecr";
import { startEcrPublic } from "../test/harness/vendors/ecr-public";
import { startGitHubApi } from "../test/harness/vendors/github";
import { startGitLabApi, useGitLabRealm } from "../test/harness/vendors/gitlab";
import { startGoogle } from "../test/harness/vendors/google";
import { startHarbor } from "../test/harness/vendors/harbor";
import { packageState } from "../test/harness/vendors/package-state";
import { startQuay } from "../test/harness/vendors/quay";
import { deleteFromTagPage, expectSecretsKeptOnServer, gotoManifest, promoteAndVerify, promoteFromTagPage, registryIdByName, screenshot, submitConnectForm } from "./helpers";

const run = Date.now().toString(36);
const PLAIN = `plain-${run}`;
/** The plain registry:2 every row promotes to and from; `other/app:2.0` is what goes into each vendor. */
let plain: RunningRegistry;
let plainId = "";
let plainDigest = "";

type Field = [label: string | RegExp, value: string, exact?: boolean];
type Ref = [repository: string, tag: string];

/** One vendor, started: what the table's steps need of it. */
interface Started {
  /** the vendor's registry as skopeo reaches it */
  front: RunningRegistry;
  /** the connect form's fields after Name */
  fields: Field[];
  /** what must never leave the server */
  secrets: string[];
  /** digests of what the row pushed, by repository:tag */
  digests: Record<string, string>;
  stop(): Promise<void>;
  /** anything of the stand-in a hook looks at */
  [more: string]: unknown;
}

interface Ctx { page: Page; v: Started; id: string; name: string }

interface Vendor {
  slug: string;
  kind: string;
  start(): Promise<Started>;
  /** shown once the kind is chosen in the connect form */
  hint: string | RegExp;
  /** the table row once added */
  listed?: string;
  /** the Test button's answer contains each */
  tested: string[];
  /** the repositories page lists each; the tag table of `browse[0]` shows tag `browse[1]` */
  repositories: string[];
  browse: Ref;
  /** the tag's pushed column title; null where the vendor only knows when the image was built */
  pushed: RegExp | null;
  /** retag `retag[0]:retag[1]` inside the vendor as `stable` */
  retag: Ref;
  /** delete `stable` again: the dialog says this, and only `stable` goes */
  deletes?: string;
  /** promote this out to the plain registry, and `other/app:2.0` in to `into` */
  out: Ref;
  into: Ref;
  hooks?: {
    afterTest?(c: Ctx): Promise<void>;
    afterBrowse?(c: Ctx): Promise<void>;
    /** called before the retag; what it returns is called after it */
    aroundRetag?(c: Ctx): Promise<() => Promise<void>>;
    afterDelete?(c: Ctx, asked: string): Promise<void>;
    afterPromote?(c: Ctx): Promise<void>;
  };
  /** tests only this vendor has, after the sequence */
  more?: Record<string, (c: Ctx) => Promise<void>>;
}

const tagCell = (page: Page, tag: string, col: string) => page.locator(`[data-testid="tag-row"][data-tag="${tag}"] [data-col="${col}"]`);

/** ghcr and GitLab list a package Regatta just made through their REST API, with its push time. */
async function listsPromoted({ page, id, slug, repository }: Ctx & { slug: string; repository: string }) {
  await page.goto(`/registries/${id}`);
  await expect(page.getByTestId("repositories")).toContainText(repository);
  await page.goto(`/registries/${id}/tags?repository=${repository}`);
  await expect(page.getByTestId("details-progress")).toHaveAttribute("data-state", "done", { timeout: 20_000 });
  // this one Regatta pushed itself: its own record names the push
  await expect(tagCell(page, "1.0", "pushed")).toHaveAttribute("title", /^pushed /, { timeout: 20_000 });
  await screenshot(page, `vendor-${slug}-promoted`);
}

const DOCKERHUB_PAT = "dckr_pat_e2e_rwd_0123456789";
const ECR_KEY = "AKIAE2ETEST000000001";
const ECR_PUBLIC_KEY = "AKIAREGATTAPUBLIC001";

const VENDORS: Vendor[] = [
  {
    slug: "dockerhub", kind: "DOCKERHUB",
    async start() {
      const backing = await startRegistry({ mode: "token", name: "e2e-dockerhub" });
      const hub = await startDockerHub({ registry: backing, users: { alice: { password: "alice-hub-password", pats: { [DOCKERHUB_PAT]: "delete" }, orgs: ["acme"] } } });
      const alice = hub.as("alice", DOCKERHUB_PAT);
      const [app] = await Promise.all([pushImage(alice, "acme/app:1.0", { labels: { v: "1.0" } }), pushImage(backing, "ratelimitpreview/test:latest", {})]);
      return {
        front: alice, hub, digests: { "acme/app:1.0": app }, secrets: [DOCKERHUB_PAT],
        fields: [["Endpoint", hub.registryUrl], ["Hub API (optional)", hub.hubUrl], [/^Namespace/, "acme"], ["Username", "alice", true], ["Personal access token", DOCKERHUB_PAT]],
        stop: async () => { await hub.stop(); await backing.stop(); },
      };
    },
    hint: "Read, Write, Delete to also remove tags", listed: "Docker Hub",
    tested: ["whether Docker Hub lets it delete tags is not known until the first delete", "1 repository in acme"],
    repositories: ["acme/app"], browse: ["acme/app", "1.0"], pushed: /by alice$/,
    retag: ["acme/app", "1.0"], deletes: "Docker Hub removes just this tag",
    out: ["acme/app", "1.0"], into: ["acme/app", "2.0"],
    hooks: {
      // the pull budget on the overview, on Docker Hub's card only
      async afterTest({ page, name }) {
        await page.goto("/");
        const card = page.getByTestId("registry-card").filter({ hasText: name });
        await expect(card.getByTestId("rate-limit")).toContainText(/pulls left \d+ \/ 100 per 6 h/);
        await expect(card.getByTestId("rate-limit")).toHaveAttribute("data-state", "ok");
        await expect(page.getByTestId("registry-card").filter({ hasText: PLAIN }).getByTestId("rate-limit")).toHaveCount(0);
        await screenshot(page, "vendor-dockerhub-overview");
      },
      async afterDelete(_, asked) {
        expect(asked).toMatch(/This tag will be deleted:\s*stable/);
      },
    },
    more: {
      "a 429 from Docker Hub says when to retry, on that registry's page and card only": async ({ page, v, id, name }) => {
        const hub = v.hub as DockerHubStandIn;
        hub.force429({ retryAfterSeconds: 1800 });
        try {
          await gotoManifest(page, id, "acme/app", "1.0");
          const error = page.getByTestId("error");
          await expect(error).toContainText("Rate limited by the registry, retry at");
          await expect(error).toContainText("(in 30 min)");
          await expect(error).toContainText("pull rate limit");
          await screenshot(page, "vendor-dockerhub-429");

          await page.goto("/");
          const budget = page.getByTestId("registry-card").filter({ hasText: name }).getByTestId("rate-limit");
          await expect(budget).toHaveAttribute("data-state", "limited");
          await expect(budget).toContainText("pulls left 0 / 100 per 6 h");
          await expect(budget).toContainText(/pull limit reached, retry at .+ \(in 30 min\)/);
          const otherCard = page.getByTestId("registry-card").filter({ hasText: PLAIN });
          await expect(otherCard.getByTestId("health")).toHaveAttribute("data-state", "ok");
          await expect(otherCard).not.toContainText("retry");
          await screenshot(page, "vendor-dockerhub-overview-429");
        } finally {
          hub.force429(null);
        }
        // Docker Hub's pages work again once the limit lifts
        await gotoManifest(page, id, "acme/app", "1.0");
        await expect(page.getByTestId("digest")).toHaveText(v.digests["acme/app:1.0"]!);
      },
    },
  },
  {
    slug: "ecr", kind: "ECR",
    async start() {
      const SECRET = "e2e-ecr-secret-access-key-0001";
      const ecr = await startEcr({ region: "eu-west-1", keys: { [ECR_KEY]: { secretAccessKey: SECRET, user: "regatta-ci" } } });
      for (const r of ["team/api", "team/web"]) ecr.createRepository(r);
      ecr.createRepository("team/locked", { immutable: true });
      const front = ecr.asRegistry();
      const [api, locked] = await Promise.all([pushImage(front, "team/api:1.0", { labels: { v: "1.0" } }), pushImage(front, "team/locked:1.0", { labels: { v: "locked" } })]);
      return {
        front, ecr, digests: { "team/api:1.0": api, "team/locked:1.0": locked }, secrets: [SECRET],
        fields: [["Endpoint", ecr.url], ["ECR API (optional)", ecr.apiUrl], [/^Repository prefix/, "team"], ["Access key id (optional)", ECR_KEY], ["Secret access key (optional)", SECRET], ["Region", "eu-west-1"]],
        stop: () => ecr.stop(),
      };
    },
    hint: /ecr:GetAuthorizationToken/, listed: "Amazon ECR",
    tested: ["region eu-west-1", `access key ${ECR_KEY}`],
    repositories: ["team/api"], browse: ["team/api", "1.0"], pushed: /^pushed \d{4}-\d\d-\d\dT[^ ]+$/,
    retag: ["team/api", "1.0"], deletes: "ECR removes only this tag",
    out: ["team/api", "1.0"], into: ["team/web", "2.0"],
    hooks: {
      async afterTest({ v }) {
        expect(ecrCalls(v).some((c) => c.op === "GetAuthorizationToken" && c.accessKeyId === ECR_KEY && c.status === 200)).toBe(true);
      },
      // the tag is written with PutImage
      async aroundRetag({ v }) {
        const puts = () => ecrCalls(v).filter((c) => c.op === "PutImage" && c.status === 200).length;
        const before = puts();
        return async () => expect(puts()).toBe(before + 1);
      },
      async afterDelete({ v }) {
        expect(ecrCalls(v).filter((c) => c.op === "BatchDeleteImage").at(-1)?.status).toBe(200);
      },
      // an immutable repository refuses to move a tag, in plain words, and the tag stays
      async afterPromote({ page, v, id, name }) {
        await gotoManifest(page, id, "team/api", "1.0");
        await page.getByRole("button", { name: "Promote…" }).click();
        const dialog = page.getByRole("dialog", { name: "Promote" });
        await dialog.getByLabel("Target registry").selectOption({ label: name });
        await dialog.getByLabel("Repository").fill("team/locked");
        await dialog.getByLabel("Tag").fill("1.0");
        await dialog.getByRole("button", { name: "Plan (dry run)" }).click();
        await expect(dialog.getByTestId("overwrite-warning")).toBeVisible();
        await dialog.getByLabel("Move the existing tag (overwrite)").check();
        // the plan already knows: Promote stays disabled, with the reason
        await expect(dialog.getByTestId("promote-blocked")).toContainText("repository team/locked in");
        await expect(dialog.getByTestId("promote-blocked")).toContainText("has immutable tags");
        await expect(dialog.getByRole("button", { name: "Promote", exact: true })).toBeDisabled();
        await screenshot(page, "vendor-ecr-immutable");
        expect((await skopeoInspect(v.front, "team/locked:1.0")).Digest).toBe(v.digests["team/locked:1.0"]);
      },
    },
  },
  {
    slug: "ecr-public", kind: "ECR_PUBLIC",
    async start() {
      const SECRET = "e2e-ecr-public-secret-0001";
      const pub = await startEcrPublic({ alias: "acme", keys: { [ECR_PUBLIC_KEY]: { secretAccessKey: SECRET, user: "regatta-ci" } } });
      for (const r of ["api", "web"]) pub.createRepository(r);
      const front = pub.asRegistry();
      return {
        front, digests: { "acme/api:1.0": await pushImage(front, "acme/api:1.0", { labels: { v: "1.0" } }) }, secrets: [SECRET],
        fields: [["Endpoint", pub.url], ["ECR Public API (optional)", pub.apiUrl], ["Access key id (optional)", ECR_PUBLIC_KEY], ["Secret access key (optional)", SECRET]],
        stop: () => pub.stop(),
      };
    },
    hint: /ecr-public:GetAuthorizationToken/, listed: "Amazon ECR Public",
    tested: ["Registry alias acme"],
    repositories: ["acme/api", "acme/web"], browse: ["acme/api", "1.0"], pushed: /^pushed \d{4}-/,
    retag: ["acme/api", "1.0"], deletes: "ECR Public removes only this tag",
    out: ["acme/api", "1.0"], into: ["acme/web", "2.0"],
    hooks: {
      async afterTest({ page }) {
        const desktop = page.viewportSize()!;
        await page.setViewportSize({ width: 390, height: 844 });
        await screenshot(page, "vendor-ecr-public-test-phone");
        await page.setViewportSize(desktop);
        // ECR (private) may leave its endpoint empty: the form says where it comes from
        await page.goto("/settings/registries?add=1");
        await page.getByLabel("Kind").selectOption("ECR");
        await expect(page.getByLabel("Endpoint")).toHaveAttribute("placeholder", /GetAuthorizationToken's proxyEndpoint/);
        await expect(page.getByLabel("Endpoint")).not.toHaveAttribute("required", "");
      },
    },
  },
  {
    slug: "ghcr", kind: "GHCR",
    async start() {
      const TOKEN = "ghp_e2eClassicToken";
      const ghcr = await startRegistry({ mode: "token", name: "e2e-ghcr", users: { octocat: TOKEN } });
      const [v1, v2] = await Promise.all([
        pushImage(ghcr, "acme/api:1.0.0", { layers: [{ files: { "/v": "1" } }] }),
        pushImage(ghcr, "acme/api:2.0.0", { layers: [{ files: { "/v": "2" } }] }),
      ]);
      const gh = await startGitHubApi({
        state: packageState(ghcr), owner: "acme", ownerType: "Organization",
        tokens: { [TOKEN]: { login: "octocat", scopes: ["read:packages", "write:packages", "delete:packages"] } },
      });
      return {
        front: ghcr, digests: { "acme/api:1.0.0": v1, "acme/api:2.0.0": v2 }, secrets: [TOKEN],
        fields: [["Endpoint", ghcr.url, true], ["GitHub API (optional)", gh.url], [/^User or organisation/, "acme"], ["Username", "octocat", true], ["Personal access token (classic)", TOKEN]],
        stop: async () => { await gh.stop(); await ghcr.stop(); },
      };
    },
    hint: "read:packages (browse), write:packages",
    tested: ["The token has read:packages, write:packages and delete:packages."],
    repositories: ["acme/api"], browse: ["acme/api", "1.0.0"], pushed: /^pushed \d{4}-/,
    retag: ["acme/api", "1.0.0"],
    out: ["acme/api", "2.0.0"], into: ["acme/app", "1.0"],
    hooks: {
      async afterBrowse({ page }) {
        await expect(page.getByTestId("tag-count")).toHaveText("2 of 2 tags");
        // the app's one date format (components/time.tsx)
        await expect(tagCell(page, "1.0.0", "pushed")).toHaveText(/^(just now|\d+ (min|h|d) ago|\d{4}-\d\d-\d\d)$/);
      },
      afterPromote: (c) => listsPromoted({ ...c, slug: "ghcr", repository: "acme/app" }),
    },
  },
  {
    slug: "gitlab", kind: "GITLAB",
    async start() {
      const TOKEN = "glpat-e2eAccessToken";
      const gitlab = await startRegistry({ mode: "token", name: "e2e-gitlab", users: { alice: TOKEN } });
      const gl = await startGitLabApi({
        state: packageState(gitlab), projects: ["acme/web"], groups: ["acme"], tokenRealm: gitlab.tokenServer!.url,
        tokens: { [TOKEN]: { kind: "personal", username: "alice", scopes: ["api", "read_registry", "write_registry"], expiresAt: "2027-06-30" } },
      });
      await useGitLabRealm(gitlab, gl);
      const [web, worker] = await Promise.all([
        pushImage(gitlab, "acme/web:1.0", { layers: [{ files: { "/v": "1" } }] }),
        pushImage(gitlab, "acme/web/worker:0.1", { layers: [{ files: { "/w": "1" } }] }),
      ]);
      return {
        front: gitlab, gl, digests: { "acme/web:1.0": web, "acme/web/worker:0.1": worker }, secrets: [TOKEN],
        fields: [["Endpoint", gitlab.url, true], ["GitLab URL (optional)", gl.url], [/^Project or group path/, "acme/web"], ["Username", "alice", true], ["Access token or deploy token", TOKEN]],
        stop: async () => { await gl.stop(); await gitlab.stop(); },
      };
    },
    hint: "read_registry (browse), write_registry",
    tested: ["The token has read_registry, write_registry and api.", "project acme/web"],
    // GitLab's created_at is the build time, never shown as pushed
    repositories: ["acme/web/worker"], browse: ["acme/web", "1.0"], pushed: null,
    retag: ["acme/web", "1.0"],
    out: ["acme/web/worker", "0.1"], into: ["acme/web/app", "1.0"],
    hooks: {
      async afterBrowse({ page }) {
        await expect(page.getByTestId("tag-count")).toHaveText("1 of 1 tags");
        await expect(tagCell(page, "1.0", "created")).toHaveAttribute("title", /^\d{4}-/);
      },
      // the retag went through GitLab's /jwt/auth tokens
      async aroundRetag({ v }) {
        return async () => expect((v.gl as { log: { path: string; status: number }[] }).log.some((l) => l.path === "/jwt/auth" && l.status === 200)).toBe(true);
      },
      afterPromote: (c) => listsPromoted({ ...c, slug: "gitlab", repository: "acme/web/app" }),
    },
  },
  {
    slug: "google", kind: "GOOGLE",
    async start() {
      const g = await startGoogle({ project: "regatta-test", location: "us" });
      const sa = g.createServiceAccount("regatta-e2e", "repoAdmin");
      g.createRepository("docker");
      const front = g.asRegistry();
      return {
        front, g, sa, digests: { "regatta-test/docker/api:1.0": await pushImage(front, "regatta-test/docker/api:1.0", { labels: { v: "1.0" } }) },
        secrets: [(JSON.parse(sa.keyJson).private_key as string).slice(100, 180)],
        // the JSON key is pasted whole
        fields: [["Endpoint", g.url], ["Artifact Registry API (optional)", g.apiUrl], [/^Project \/ repository/, "regatta-test/docker"], ["Service account JSON key", sa.keyJson], ["Location (optional)", "us"]],
        stop: () => g.stop(),
      };
    },
    hint: /roles\/artifactregistry.reader/, listed: "Google Artifact Registry",
    tested: ["(access token)"],
    repositories: ["regatta-test/docker/api"], browse: ["regatta-test/docker/api", "1.0"], pushed: /^pushed \d{4}-\d\d-\d\dT[^ ]+$/,
    retag: ["regatta-test/docker/api", "1.0"], deletes: "Artifact Registry removes only this tag",
    out: ["regatta-test/docker/api", "1.0"], into: ["regatta-test/docker/web", "2.0"],
    hooks: {
      async afterTest({ page, v, name }) {
        const g = v.g as Awaited<ReturnType<typeof startGoogle>>;
        const sa = v.sa as { email: string };
        await expect(page.getByTestId("registries-table").getByRole("row").filter({ hasText: name }).getByRole("status")).toContainText(`as ${sa.email} (access token)`);
        expect(await page.content()).not.toContain("PRIVATE KEY");
        expect(g.exchanges.some((e) => e.email === sa.email && e.status === 200)).toBe(true);
      },
      // through packages.tags.delete
      async afterDelete({ v }) {
        expect((v.g as Awaited<ReturnType<typeof startGoogle>>).apiCalls.at(-1)).toMatchObject({ method: "DELETE", status: 200 });
      },
    },
  },
  {
    slug: "harbor", kind: "HARBOR",
    async start() {
      const h = await startHarbor({ name: "e2e-harbor", project: "library" });
      const [app, api] = await Promise.all([
        pushImage(h.registry, "library/app:1.0", { labels: { build: "h1" } }),
        pushImage(h.registry, "library/team/api:2.0", { labels: { build: "h2" } }),
      ]);
      return {
        front: h.registry, digests: { "library/app:1.0": app, "library/team/api:2.0": api }, secrets: [h.robot.password],
        fields: [["Endpoint", h.registry.url], ["Harbor API (optional)", h.harbor.api], ["Project (default: the robot's project)", "library"], ["Robot or user name", h.robot.username], ["Secret or password", h.robot.password]],
        stop: () => h.stop(),
      };
    },
    hint: "Tag List and Delete", listed: "robot$library+ci",
    tested: ["may delete tags", "Harbor token service"],
    // the project's repositories, a nested one too
    repositories: ["library/app", "library/team/api"], browse: ["library/team/api", "2.0"], pushed: /^pushed \d{4}-/,
    retag: ["library/app", "1.0"],
    out: ["library/team/api", "2.0"], into: ["library/promoted", "1.0"],
  },
  {
    slug: "quay", kind: "QUAY",
    async start() {
      const OAUTH = "quay-oauth-e2e-token";
      const q = await startQuay({ name: "e2e-quay", tokens: { [OAUTH]: { read: true, write: true } } });
      const [v1, v2] = await Promise.all([
        pushImage(q.registry, "acme/app:1.0", { labels: { build: "q1" } }),
        pushImage(q.registry, "acme/app:2.0", { labels: { build: "q2" } }),
      ]);
      return {
        front: q.registry, digests: { "acme/app:1.0": v1, "acme/app:2.0": v2 }, secrets: [q.robot.password, OAUTH],
        fields: [["Endpoint", q.registry.url], ["Quay API (optional)", q.quay.url], ["Robot account", q.robot.username], ["Robot token", q.robot.password], ["OAuth application token (optional)", OAUTH]],
        stop: () => q.stop(),
      };
    },
    hint: "Read/Write to any accessible repositories", listed: "Robot account: acme+ci",
    tested: ["may delete tags", "✓ delete enabled"],
    repositories: ["acme/app"], browse: ["acme/app", "1.0"], pushed: /^pushed \d{4}-/,
    retag: ["acme/app", "1.0"],
    out: ["acme/app", "2.0"], into: ["acme/promoted", "1.0"],
  },
];

function ecrCalls(v: Started) {
  return (v.ecr as { calls: { op: string; accessKeyId: string | null; status: number }[] }).calls;
}

test.beforeAll(async ({ request }) => {
  test.setTimeout(120_000);
  plain = await startRegistry({ mode: "open", name: "e2e-vendors-plain" });
  plainDigest = await pushImage(plain, "other/app:2.0", { labels: { v: "2.0" } });
  const res = await request.post("/api/v1/registries", { data: { name: PLAIN, kind: "GENERIC", endpoint: plain.url } });
  expect(res.status()).toBe(201);
  plainId = (await res.json()).id;
});

test.afterAll(async () => {
  await plain?.stop();
});

for (const vendor of VENDORS) {
  test.describe(vendor.slug, () => {
    const name = `${vendor.slug}-${run}`;
    let v: Started | undefined;
    let id = "";
    const ctx = (page: Page): Ctx => ({ page, v: v!, id, name });

    test.beforeAll(async () => {
      test.setTimeout(120_000);
      v = await vendor.start();
    });
    test.afterAll(async () => {
      await v?.stop();
    });

    test(`${vendor.slug}: add from the connect form and test the connection`, async ({ page }) => {
      await page.goto("/settings/registries?add=1");
      await page.getByLabel("Kind").selectOption(vendor.kind);
      await expect(page.getByText(vendor.hint).first()).toBeVisible();
      const row = await submitConnectForm(page, name, v!.fields, `vendor-${vendor.slug}-form`);
      await expect(row).toBeVisible();
      if (vendor.listed) await expect(row).toContainText(vendor.listed);
      for (const secret of v!.secrets) await expect(row).not.toContainText(secret);
      await row.getByRole("button", { name: "Test" }).click();
      for (const text of vendor.tested) await expect(row.getByRole("status")).toContainText(text);
      await screenshot(page, `vendor-${vendor.slug}-test`);
      const html = await page.content();
      for (const secret of v!.secrets) expect(html).not.toContain(secret);
      id = await registryIdByName(page, name);
      await vendor.hooks?.afterTest?.(ctx(page));
    });

    test(`${vendor.slug}: browse to the tag table, retag, ${vendor.deletes ? "delete one tag, " : ""}promote to and from registry:2`, async ({ page }) => {
      test.skip(!id, "needs the registry added by the first test");
      test.setTimeout(120_000);
      const c = ctx(page);
      const digestOf = (repository: string, tag: string) => v!.digests[`${repository}:${tag}`]!;

      // browse: from the overview's card to the repositories, to the tag table with the vendor's times
      await page.goto("/");
      await page.getByTestId("registry-card").filter({ hasText: name }).click();
      // (the vendor's catalog answers through its stand-in: seconds on a busy machine)
      for (const r of vendor.repositories) await expect(page.getByTestId("repositories")).toContainText(r, { timeout: 15_000 });
      if (vendor.slug === "gitlab") await screenshot(page, "vendor-gitlab-repositories");
      const [repository, tag] = vendor.browse;
      await page.getByRole("link", { name: repository, exact: true }).click();
      await expect(page.getByTestId("details-progress")).toHaveAttribute("data-state", "done", { timeout: 20_000 });
      await expect(tagCell(page, tag, "digest")).toContainText(digestOf(repository, tag).slice(7, 19));
      if (vendor.pushed) await expect(tagCell(page, tag, "pushed")).toHaveAttribute("title", vendor.pushed, { timeout: 15_000 });
      else await expect(tagCell(page, tag, "pushed")).not.toHaveAttribute("title", /^pushed /);
      await vendor.hooks?.afterBrowse?.(c);
      await screenshot(page, `vendor-${vendor.slug}-tags`);

      // retag inside the vendor
      const [retagRepo, retagTag] = vendor.retag;
      const retagged = await vendor.hooks?.aroundRetag?.(c);
      await gotoManifest(page, id, retagRepo, retagTag);
      await expect(page.getByTestId("digest")).toHaveText(digestOf(retagRepo, retagTag));
      await (await promoteFromTagPage(page, { registry: name, repository: retagRepo, tag: "stable" })).getByRole("button", { name: "Close" }).click();
      expect((await skopeoInspect(v!.front, `${retagRepo}:stable`)).Digest).toBe(digestOf(retagRepo, retagTag));
      await retagged?.();

      // delete that one tag through the vendor's API: the tag it was made from, on the same digest, stays
      if (vendor.deletes) {
        const before = (await skopeoListTags(v!.front, retagRepo)).filter((t) => t !== "stable").sort();
        await gotoManifest(page, id, retagRepo, "stable");
        const asked = await deleteFromTagPage(page);
        await expect(page).toHaveURL(new RegExp(`/tags\\?repository=${encodeURIComponent(retagRepo)}`));
        expect(asked).toContain(vendor.deletes);
        await vendor.hooks?.afterDelete?.(c, asked);
        expect((await skopeoListTags(v!.front, retagRepo)).sort()).toEqual(before);
        expect((await skopeoInspect(v!.front, `${retagRepo}:${retagTag}`)).Digest).toBe(digestOf(retagRepo, retagTag));
      }

      // vendor → registry:2
      const [outRepo, outTag] = vendor.out;
      const outTarget = `from-${vendor.slug}/${outRepo.split("/").at(-1)}`;
      await promoteAndVerify(page, [id, outRepo, outTag], { registry: PLAIN, repository: outTarget, tag: outTag }, [plain, `${outTarget}:${outTag}`, digestOf(outRepo, outTag)], { close: true });

      // registry:2 → vendor
      const [inRepo, inTag] = vendor.into;
      await gotoManifest(page, plainId, "other/app", "2.0");
      const dialog = await promoteFromTagPage(page, { registry: name, repository: inRepo, tag: inTag });
      await screenshot(page, `vendor-${vendor.slug}-promote`);
      await dialog.getByRole("button", { name: "Close" }).click();
      expect((await skopeoInspect(v!.front, `${inRepo}:${inTag}`)).Digest).toBe(plainDigest);
      await vendor.hooks?.afterPromote?.(c);
    });

    for (const [title, body] of Object.entries(vendor.more ?? {})) {
      test(`${vendor.slug}: ${title}`, async ({ page }) => {
        test.skip(!id, "needs the registry added by the first test");
        await body(ctx(page));
      });
    }

    test(`${vendor.slug}: no secret of this registry reaches the API, the Settings page or the server log`, async ({ page }) => {
      await expectSecretsKeptOnServer(page, v!.secrets);
    });
  });
}

// Each provider's `visibility` against its vendor stand-in, answering as the vendor documents it
// (contract rows in stand-in-contracts.test.ts): Quay `is_public`, Harbor project `metadata.public`,
// GitLab project visibility and container_registry_access_level; new repositories get the vendor's
// default; ECR private, ECR Public public, registry:2 unknown. Docker Hub and GHCR are covered with
// the promote plan in publish-guard.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openProvider } from "@/lib/providers";
import type { Connection } from "@/lib/providers/types";
import { repositoryVisibility } from "@/lib/services/visibility";
import { pushImage } from "../harness";
import { startGitLabApi, type GitLabApi } from "../harness/vendors/gitlab";
import { startHarbor, type HarborSetup } from "../harness/vendors/harbor";
import { memoryState } from "../harness/vendors/package-state";
import { startQuay, type QuaySetup } from "../harness/vendors/quay";

const D = `sha256:${"1".repeat(64)}`;
const base = { apiEndpoint: null, namespace: null, insecure: false, credentials: null } satisfies Partial<Connection>;
let quay: QuaySetup;
let harborPublic: HarborSetup;
let harborPrivate: HarborSetup;
let gitlab: GitLabApi;

beforeAll(async () => {
  [quay, harborPublic, harborPrivate, gitlab] = await Promise.all([
    startQuay({ name: "vis-quay", tokens: { "quay-vis": { read: true } }, publicRepositories: ["acme/open"] }),
    startHarbor({ name: "vis-harbor-pub", project: "pub", public: true }),
    startHarbor({ name: "vis-harbor-priv", project: "priv" }),
    startGitLabApi({
      state: memoryState({ "acme/web": { "1.0": D }, "acme/web/worker": { "1.0": D }, "acme/tools": { "1.0": D }, "acme/hidden": { "1.0": D } }),
      projects: ["acme/web", "acme/tools", "acme/hidden"],
      tokens: { "glpat-vis": { kind: "personal", username: "alice", scopes: ["api"] } },
      visibility: { "acme/web": { visibility: "public" }, "acme/tools": { visibility: "internal" }, "acme/hidden": { visibility: "public", containerRegistry: "private" } },
    }),
  ]);
  await Promise.all([pushImage(quay.registry, "acme/open:1.0", {}), pushImage(quay.registry, "acme/closed:1.0", {})]);
}, 120_000);

afterAll(async () => {
  await Promise.all([quay?.stop(), harborPublic?.stop(), harborPrivate?.stop(), gitlab?.stop()]);
});

describe("provider visibility", () => {
  it("Quay: is_public of the repository; a new one is private (created by push)", async () => {
    const p = openProvider({ ...base, kind: "QUAY", endpoint: quay.registry.url, apiEndpoint: quay.quay.url, namespace: "acme", credentials: { ...quay.robot, apiToken: "quay-vis" } });
    expect(await p.visibility!("acme/open")).toEqual({ visibility: "public", exists: true, basis: "Quay: is_public true" });
    expect(await p.visibility!("acme/closed")).toEqual({ visibility: "private", exists: true, basis: "Quay: is_public false" });
    expect(await p.visibility!("acme/new")).toMatchObject({ visibility: "private", exists: false });
  });

  it("Harbor: the project's metadata.public, for existing and new repositories alike", async () => {
    const pub = openProvider({ ...base, kind: "HARBOR", endpoint: harborPublic.registry.url, apiEndpoint: harborPublic.harbor.api, credentials: harborPublic.robot });
    const priv = openProvider({ ...base, kind: "HARBOR", endpoint: harborPrivate.registry.url, apiEndpoint: harborPrivate.harbor.api, credentials: harborPrivate.robot });
    expect(await pub.visibility!("pub/any/app")).toEqual({ visibility: "public", basis: "Harbor project pub: public true" });
    expect(await priv.visibility!("priv/app")).toEqual({ visibility: "private", basis: "Harbor project priv: public false" });
  });

  it("GitLab: the project's visibility unless its container registry is members-only; internal is not public", async () => {
    const p = openProvider({ ...base, kind: "GITLAB", endpoint: "http://127.0.0.1:9", apiEndpoint: gitlab.url, namespace: "acme", credentials: { username: "alice", password: "glpat-vis" } });
    expect(await p.visibility!("acme/web")).toMatchObject({ visibility: "public" });
    expect(await p.visibility!("acme/web/worker")).toMatchObject({ visibility: "public", basis: "GitLab project acme/web: visibility public, container registry enabled" });
    expect(await p.visibility!("acme/tools")).toMatchObject({ visibility: "private", basis: "GitLab project acme/tools: visibility internal" });
    expect(await p.visibility!("acme/hidden")).toMatchObject({ visibility: "private", basis: "GitLab project acme/hidden: container registry private" });
    expect(await p.visibility!("nobody/else")).toMatchObject({ visibility: "unknown" });
  });

  it("ECR is private, ECR Public public, registry:2 unknown (without asking anyone)", async () => {
    const ecr = openProvider({ ...base, kind: "ECR", endpoint: "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com", credentials: { accessKeyId: "AKIAVISIBILITY00001", secretAccessKey: "s", region: "eu-west-1" } });
    const pub = openProvider({ ...base, kind: "ECR_PUBLIC", endpoint: "https://public.ecr.aws", credentials: { accessKeyId: "AKIAVISIBILITY00001", secretAccessKey: "s" } });
    const plain = openProvider({ ...base, kind: "GENERIC", endpoint: "http://127.0.0.1:9" });
    expect((await repositoryVisibility(ecr, "team/api")).visibility).toBe("private");
    expect((await repositoryVisibility(pub, "acme/web")).visibility).toBe("public");
    expect((await repositoryVisibility(plain, "team/api")).visibility).toBe("unknown");
  });

  it("asks the vendor at most once per repository within the cache time; a failure is not remembered", async () => {
    const p = openProvider({ ...base, kind: "QUAY", endpoint: quay.registry.url, apiEndpoint: quay.quay.url, namespace: "acme", credentials: { ...quay.robot, apiToken: "quay-vis" } });
    const asked = () => quay.quay.log.filter((l) => l.url.startsWith("/api/v1/repository/acme/open")).length;
    const before = asked();
    await Promise.all([repositoryVisibility(p, "acme/open"), repositoryVisibility(p, "acme/open")]);
    await repositoryVisibility(p, "acme/open");
    expect(asked() - before).toBe(1);
    const down = openProvider({ ...base, kind: "QUAY", endpoint: quay.registry.url, apiEndpoint: "http://127.0.0.1:9", namespace: "acme", credentials: { ...quay.robot, apiToken: "quay-vis" } });
    expect(await repositoryVisibility(down, "acme/open")).toMatchObject({ visibility: "unknown" });
  });
});

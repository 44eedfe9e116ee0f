// Keep the stand-ins honest: each vendor stand-in against facts taken from the vendor's own
// published description, written down here as data with the source next to them. A stand-in that
// invents a field, drops a required one, pages past the documented limit or accepts what the vendor
// refuses fails here, whatever the provider written by the same hands believes.
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImage, retag, startRegistry, type RunningRegistry } from "../harness";
import { startDockerHub, type DockerHubStandIn } from "../harness/vendors/dockerhub";
import { startEcr, type EcrStandIn } from "../harness/vendors/ecr";
import { startEcrPublic, type EcrPublicStandIn } from "../harness/vendors/ecr-public";
import { DescribeImagesCommand as PublicDescribeImages, DescribeRegistriesCommand, ECRPUBLICClient } from "@aws-sdk/client-ecr-public";
import { startGitHubApi, type GitHubApi } from "../harness/vendors/github";
import { startGitLabApi, type GitLabApi } from "../harness/vendors/gitlab";
import { startGoogle, type GoogleStandIn } from "../harness/vendors/google";
import { startHarbor, type HarborSetup } from "../harness/vendors/harbor";
import { startQuay, type QuaySetup } from "../harness/vendors/quay";
import { memoryState } from "../harness/vendors/package-state";

const D = (n: number) => `sha256:${String(n).padStart(64, "0")}`;

/** the JSON type of a value, as a description names it */
const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v);

interface Shape {
  /** field → allowed JSON types */
  fields: Record<string, string[]>;
  required: string[];
}

/** Every field is documented with a documented type, and every required field is there. */
function expectShape(what: string, obj: Record<string, unknown>, shape: Shape) {
  for (const [k, v] of Object.entries(obj)) {
    expect(shape.fields[k], `${what}: field "${k}" is not in the vendor's description`).toBeDefined();
    expect(shape.fields[k], `${what}: "${k}" is ${typeOf(v)}`).toContain(typeOf(v) === "integer" && shape.fields[k].includes("number") ? "number" : typeOf(v));
  }
  for (const k of shape.required) expect(Object.keys(obj), `${what}: required field "${k}" missing`).toContain(k);
}

// ---------------------------------------------------------------------------------------------
// GitHub: github/rest-api-description, descriptions/api.github.com/api.github.com.json
// (components/schemas/package, package-version; paths /orgs/{org}/packages…, /user/packages…,
// /users/{username}/packages…; parameters/per-page "The number of results per page (max 100)")
const GITHUB = {
  package: {
    fields: {
      id: ["integer"], name: ["string"], package_type: ["string"], url: ["string"], html_url: ["string"], version_count: ["integer"],
      visibility: ["string"], owner: ["object", "null"], repository: ["object", "null"], created_at: ["string"], updated_at: ["string"],
    },
    required: ["id", "name", "package_type", "visibility", "url", "html_url", "version_count", "created_at", "updated_at"],
  } satisfies Shape,
  version: {
    fields: {
      id: ["integer"], name: ["string"], url: ["string"], package_html_url: ["string"], html_url: ["string"], license: ["string"], description: ["string"],
      created_at: ["string"], updated_at: ["string"], deleted_at: ["string"], metadata: ["object"],
    },
    required: ["id", "name", "url", "package_html_url", "created_at", "updated_at"],
  } satisfies Shape,
  perPageMax: 100,
  /** DELETE …/versions/{package_version_id}: 204 No Content */
  deleteStatus: 204,
};

describe("GitHub stand-in against the GitHub REST description", () => {
  let api: GitHubApi;
  const auth = { authorization: "Bearer ghp_contract" };
  beforeAll(async () => {
    const repos: Record<string, Record<string, string>> = {};
    for (let i = 0; i < 120; i++) repos[`acme/app-${i}`] = { v1: D(i) };
    repos["acme/big"] = Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`t${i}`, D(1000 + i)]));
    api = await startGitHubApi({ state: memoryState(repos), owner: "acme", ownerType: "Organization", tokens: { ghp_contract: { login: "alice", scopes: ["read:packages", "write:packages", "delete:packages"] } } });
  });
  afterAll(() => api?.stop());
  const get = (path: string) => fetch(`${api.url}${path}`, { headers: auth });

  it("packages: documented fields only, per_page at most 100, package_type required", async () => {
    const res = await get("/orgs/acme/packages?package_type=container&per_page=500");
    const list = (await res.json()) as Record<string, unknown>[];
    expect(res.status).toBe(200);
    expect(list.length).toBeLessThanOrEqual(GITHUB.perPageMax);
    for (const p of list) expectShape("package", p, GITHUB.package);
    // package_type is a required query parameter
    expect((await get("/orgs/acme/packages")).status).toBeGreaterThanOrEqual(400);
  });

  it("versions: documented fields only, per_page at most 100, delete answers 204", async () => {
    const res = await get("/orgs/acme/packages/container/big/versions?per_page=500");
    const list = (await res.json()) as Record<string, unknown>[];
    expect(list.length).toBeLessThanOrEqual(GITHUB.perPageMax);
    for (const v of list) expectShape("package version", v, GITHUB.version);
    const [one] = (await (await get("/orgs/acme/packages/container/app-1/versions")).json()) as { id: number }[];
    const del = await fetch(`${api.url}/orgs/acme/packages/container/app-1/versions/${one.id}`, { method: "DELETE", headers: auth });
    expect(del.status).toBe(GITHUB.deleteStatus);
  });

  // components/schemas/package: visibility enum ["private", "public"]; get-package-for-organization answers one package
  it("visibility: one package says public or private", async () => {
    const res = await get("/orgs/acme/packages/container/app-1");
    expect(res.status).toBe(200);
    const p = (await res.json()) as Record<string, unknown>;
    expectShape("package", p, GITHUB.package);
    expect(["private", "public"]).toContain(p.visibility);
  });

  it("another user's versions: documented for public packages only", async () => {
    const user = await startGitHubApi({ state: memoryState({ "bob/private": { v1: D(1) } }), owner: "bob", ownerType: "User", tokens: { ghp_contract: { login: "alice", scopes: ["read:packages"] } } });
    try {
      const res = await fetch(`${user.url}/users/bob/packages/container/private/versions`, { headers: auth });
      expect(res.status).toBe(404);
    } finally {
      await user.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// GitLab: gitlab doc/api/container_registry.md (example responses of "List registry repositories",
// "List registry repository tags", "Get details of a registry repository tag"; "returns 20 results
// at a time"), doc/api/rest/_index.md (per_page: "Maximum: 100")
const GITLAB = {
  repository: {
    fields: {
      id: ["integer"], name: ["string"], path: ["string"], project_id: ["integer"], location: ["string"], created_at: ["string"],
      cleanup_policy_started_at: ["string", "null"], status: ["string", "null"], tags_count: ["integer"], tags: ["array"], size: ["integer"],
    },
    required: ["id", "name", "path", "project_id", "location", "created_at"],
  } satisfies Shape,
  tag: { fields: { name: ["string"], path: ["string"], location: ["string"] }, required: ["name", "path", "location"] } satisfies Shape,
  tagDetails: {
    fields: {
      name: ["string"], path: ["string"], location: ["string"], revision: ["string"], short_revision: ["string"], digest: ["string"],
      created_at: ["string", "null"], total_size: ["integer"],
    },
    required: ["name", "path", "location", "revision", "short_revision", "digest", "created_at", "total_size"],
  } satisfies Shape,
  defaultPerPage: 20,
  perPageMax: 100,
};

describe("GitLab stand-in against GitLab's container registry API docs", () => {
  let api: GitLabApi;
  const auth = { authorization: "Bearer glpat-contract" };
  beforeAll(async () => {
    const tags = Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`t${String(i).padStart(3, "0")}`, D(i)]));
    api = await startGitLabApi({ state: memoryState({ "acme/web": tags }), projects: ["acme/web"], tokens: { "glpat-contract": { kind: "personal", username: "alice", scopes: ["api"] } } });
  });
  afterAll(() => api?.stop());
  const get = (path: string) => fetch(`${api.url}/api/v4${path}`, { headers: auth });

  // doc/api/projects.md (Get a single project): visibility private | internal | public;
  // doc/api/container_registry.md: container_registry_access_level enabled | private | disabled
  it("visibility: a project says its visibility and its container registry's access level", async () => {
    const res = await get(`/projects/${encodeURIComponent("acme/web")}`);
    expect(res.status).toBe(200);
    const p = (await res.json()) as Record<string, unknown>;
    expect(["private", "internal", "public"]).toContain(p.visibility);
    expect(["enabled", "private", "disabled"]).toContain(p.container_registry_access_level);
  });

  it("repositories, tags and tag details: documented fields only; 20 by default, at most 100 a page", async () => {
    const repos = (await (await get("/projects/acme%2Fweb/registry/repositories?tags_count=true")).json()) as Record<string, unknown>[];
    for (const r of repos) expectShape("registry repository", r, GITLAB.repository);
    const id = repos[0].id;
    const first = (await (await get(`/projects/acme%2Fweb/registry/repositories/${id}/tags`)).json()) as Record<string, unknown>[];
    expect(first).toHaveLength(GITLAB.defaultPerPage);
    const big = (await (await get(`/projects/acme%2Fweb/registry/repositories/${id}/tags?per_page=500`)).json()) as Record<string, unknown>[];
    expect(big.length).toBeLessThanOrEqual(GITLAB.perPageMax);
    for (const t of big) expectShape("tag", t, GITLAB.tag);
    const details = (await (await get(`/projects/acme%2Fweb/registry/repositories/${id}/tags/t001`)).json()) as Record<string, unknown>;
    expectShape("tag details", details, GITLAB.tagDetails);
  });
});

// ---------------------------------------------------------------------------------------------
// Harbor: goharbor/harbor api/v2.0/swagger.yaml (definitions Repository, Artifact, Tag;
// parameters page_size "maximum: 100", X-Total-Count and Link headers on lists; deleteTag 200)
const HARBOR = {
  repository: {
    fields: { id: ["integer"], project_id: ["integer"], name: ["string"], description: ["string"], artifact_count: ["integer"], pull_count: ["integer"], creation_time: ["string"], update_time: ["string"] },
    required: [],
  } satisfies Shape,
  artifact: {
    fields: {
      id: ["integer"], type: ["string"], media_type: ["string"], manifest_media_type: ["string"], artifact_type: ["string"], project_id: ["integer"], repository_id: ["integer"],
      repository_name: ["string"], digest: ["string"], size: ["integer"], icon: ["string"], push_time: ["string"], pull_time: ["string"], extra_attrs: ["object"],
      annotations: ["object", "null"], references: ["array", "null"], tags: ["array", "null"], addition_links: ["object"], labels: ["array", "null"],
      scan_overview: ["object"], sbom_overview: ["object"], accessories: ["array", "null"],
    },
    required: [],
  } satisfies Shape,
  tag: {
    fields: { id: ["integer"], repository_id: ["integer"], artifact_id: ["integer"], name: ["string"], push_time: ["string"], pull_time: ["string"], immutable: ["boolean"] },
    required: [],
  } satisfies Shape,
  pageSizeMax: 100,
};

describe("Harbor stand-in against Harbor's swagger", () => {
  let h: HarborSetup;
  const robot = { username: "robot$library+ci", password: "harbor-robot-secret-01" };
  beforeAll(async () => {
    h = await startHarbor({ name: "harbor-contract" });
    await pushImage(h.registry, "library/app:1.0", { layers: [{ files: { a: "1" } }] });
    await retag(h.registry, "library/app", "1.0", "stable");
  });
  afterAll(() => h?.stop());
  const get = (path: string) => fetch(`${h.harbor.api}${path}`, { headers: { authorization: `Basic ${Buffer.from(`${robot.username}:${robot.password}`).toString("base64")}` } });

  // swagger.yaml ProjectMetadata.public: "The public status of the project. The valid values are \"true\", \"false\"" (a string)
  it("visibility: a project's metadata.public is the string true or false", async () => {
    const res = await get("/projects/library");
    expect(res.status).toBe(200);
    const p = (await res.json()) as { metadata?: { public?: unknown } };
    expect(["true", "false"]).toContain(p.metadata?.public);
  });

  it("repositories and artifacts: documented fields only, X-Total-Count, page_size above 100 refused", async () => {
    const res = await get("/projects/library/repositories?page=1&page_size=100");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-total-count")).toMatch(/^\d+$/);
    for (const r of (await res.json()) as Record<string, unknown>[]) expectShape("Repository", r, HARBOR.repository);
    const arts = (await (await get("/projects/library/repositories/app/artifacts?with_tag=true")).json()) as Record<string, unknown>[];
    for (const a of arts) {
      expectShape("Artifact", a, HARBOR.artifact);
      for (const t of (a.tags as Record<string, unknown>[]) ?? []) expectShape("Tag", t, HARBOR.tag);
    }
    // page_size has maximum 100 in the swagger: go-swagger validation refuses more (the exact status is not documented)
    const over = await get(`/projects/library/repositories?page=1&page_size=${HARBOR.pageSizeMax + 1}`);
    expect(over.status).toBeGreaterThanOrEqual(400);
    expect(over.status).toBeLessThan(500);
  });
});

// ---------------------------------------------------------------------------------------------
// Amazon ECR: the ECR API reference as the SDK models carry it (@aws-sdk/client-ecr
// dist-types/models: ImageDetail members; DescribeImages/DescribeRepositories maxResults "between 1
// and 1000"; ImageFailureCode)
const ECR = {
  imageDetail: {
    fields: Object.fromEntries(
      ["registryId", "repositoryName", "imageDigest", "imageSizeInBytes", "imagePushedAt", "imageManifestMediaType", "artifactMediaType", "lastRecordedPullTime", "subjectManifestDigest", "imageStatus", "lastArchivedAt", "lastActivatedAt", "imageTags", "imageScanStatus", "imageScanFindingsSummary"].map((k) => [k, ["string", "number", "integer", "array", "object"]]),
    ),
    required: ["registryId", "repositoryName", "imageDigest"],
  } satisfies Shape,
  maxResults: 1000,
};

describe("ECR stand-in against the ECR API reference (SDK models)", () => {
  let ecr: EcrStandIn;
  let client: ECRClient;
  beforeAll(async () => {
    ecr = await startEcr();
    ecr.createRepository("team/api");
    await pushImage(ecr.asRegistry(), "team/api:1.0", { layers: [{ files: { a: "1" } }] });
    client = new ECRClient({ region: ecr.region, endpoint: ecr.apiUrl, credentials: { accessKeyId: "AKIAREGATTATEST0001", secretAccessKey: "ecr-test-secret-0001" }, maxAttempts: 1 });
  });
  afterAll(() => ecr?.stop());

  it("DescribeImages: documented ImageDetail members only; maxResults outside 1..1000 refused", async () => {
    const out = await client.send(new DescribeImagesCommand({ repositoryName: "team/api" }));
    for (const d of out.imageDetails ?? []) expectShape("ImageDetail", JSON.parse(JSON.stringify(d)), ECR.imageDetail);
    await expect(client.send(new DescribeImagesCommand({ repositoryName: "team/api", maxResults: ECR.maxResults + 1 }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(client.send(new DescribeRepositoriesCommand({ maxResults: ECR.maxResults + 1 }))).rejects.toMatchObject({ name: "InvalidParameterException" });
  });
});

// ---------------------------------------------------------------------------------------------
// Docker Hub: docker/docs content/reference/api/hub/latest.yaml (/v2/auth/token needs identifier and
// secret, 401 when authentication fails; GET /v2/namespaces/{ns}/repositories/{repo}/tags page_size "Max of 100")
describe("Docker Hub stand-in against Hub's API description", () => {
  let backing: RunningRegistry;
  let hub: DockerHubStandIn;
  beforeAll(async () => {
    backing = await startRegistry({ mode: "token", name: "hub-contract" });
    hub = await startDockerHub({ registry: backing, users: { alice: { password: "pw", pats: { dckr_pat_c: "read" } } } });
    await pushImage(backing, "alice/app:1.0", { layers: [{ files: { a: "1" } }] });
  });
  afterAll(async () => {
    await hub?.stop();
    await backing?.stop();
  });

  // GetRepository (GET /v2/namespaces/{namespace}/repositories/{repository}): the repository with its
  // boolean is_private; 404 for one that does not exist
  it("visibility: one repository says is_private; an unknown one is 404", async () => {
    const res = await fetch(`${hub.hubUrl}/v2/namespaces/alice/repositories/app`);
    expect(res.status).toBe(200);
    const r = (await res.json()) as Record<string, unknown>;
    expect(typeOf(r.is_private)).toBe("boolean");
    expect([typeOf(r.name), typeOf(r.namespace)]).toEqual(["string", "string"]);
    expect((await fetch(`${hub.hubUrl}/v2/namespaces/alice/repositories/nothing-here`)).status).toBe(404);
  });

  it("sign-in needs identifier and secret; a tag page holds at most 100", async () => {
    const token = async (body: unknown) => fetch(`${hub.hubUrl}/v2/auth/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    // documented answers: 200 and 401 "Authentication failed"; a body without the required secret is refused too
    expect((await token({ identifier: "alice", secret: "dckr_pat_wrong" })).status).toBe(401);
    const noSecret = (await token({ identifier: "alice" })).status;
    expect(noSecret >= 400 && noSecret < 500).toBe(true);
    const ok = await token({ identifier: "alice", secret: "dckr_pat_c" });
    expect(ok.status).toBe(200);
    const jwt = ((await ok.json()) as { access_token: string }).access_token;
    const page = await fetch(`${hub.hubUrl}/v2/namespaces/alice/repositories/app/tags?page_size=500`, { headers: { authorization: `Bearer ${jwt}` } });
    expect(page.status).toBe(200);
    const body = (await page.json()) as { count: number; next: string | null; previous: string | null; results: unknown[] };
    expect(Object.keys(body).sort()).toEqual(["count", "next", "previous", "results"]);
    expect(body.results.length).toBeLessThanOrEqual(100);
  });
});

// ---------------------------------------------------------------------------------------------
// Quay: quay/quay endpoints/api/tag.py (_tag_dict fields; listRepoTags "limit … Max 100", clamped
// with min(100, max(1, limit)), page max(1, page); answer {tags, page, has_additional};
// deleteFullTag answers 204)
const QUAY = {
  tag: {
    fields: {
      name: ["string"], reversion: ["boolean"], start_ts: ["integer"], end_ts: ["integer"], manifest_digest: ["string"], is_manifest_list: ["boolean"],
      size: ["integer", "null"], last_modified: ["string"], expiration: ["string"],
    },
    required: ["name", "reversion", "manifest_digest", "is_manifest_list", "size"],
  } satisfies Shape,
  limitMax: 100,
};

describe("Quay stand-in against Quay's endpoint source", () => {
  let q: QuaySetup;
  const auth = { authorization: "Bearer quay-oauth-contract" };
  beforeAll(async () => {
    q = await startQuay({ name: "quay-contract", tokens: { "quay-oauth-contract": { read: true, write: true } } });
    await pushImage(q.registry, "acme/app:1.0", { layers: [{ files: { a: "1" } }] });
    await retag(q.registry, "acme/app", "1.0", "stable");
  });
  afterAll(() => q?.stop());

  // endpoints/api/repository.py Repository.get: the repository with a boolean is_public; 404 when unknown
  it("visibility: one repository says is_public; an unknown one is 404", async () => {
    const res = await fetch(`${q.quay.url}/api/v1/repository/acme/app`, { headers: auth });
    expect(res.status).toBe(200);
    expect(typeOf(((await res.json()) as Record<string, unknown>).is_public)).toBe("boolean");
    expect((await fetch(`${q.quay.url}/api/v1/repository/acme/nothing-here`, { headers: auth })).status).toBe(404);
  });

  it("tags: documented fields only; limit above 100 and page below 1 are clamped, not refused; delete answers 204", async () => {
    const res = await fetch(`${q.quay.url}/api/v1/repository/acme/app/tag/?limit=500&page=0`, { headers: auth });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { tags: Record<string, unknown>[]; page: number; has_additional: boolean };
    expect(Object.keys(body).sort()).toEqual(["has_additional", "page", "tags"]);
    expect(body.page).toBe(1);
    expect(body.tags.length).toBeLessThanOrEqual(QUAY.limitMax);
    for (const t of body.tags) expectShape("tag", t, QUAY.tag);
    const del = await fetch(`${q.quay.url}/api/v1/repository/acme/app/tag/stable`, { method: "DELETE", headers: auth });
    expect(del.status).toBe(204);
  });
});

// ---------------------------------------------------------------------------------------------
// Google Artifact Registry: googleapis/googleapis google/devtools/artifactregistry/v1/artifact.proto
// (DockerImage: name and uri REQUIRED, tags, image_size_bytes int64, upload_time, media_type,
// build_time, update_time; ListDockerImagesResponse docker_images, next_page_token) in the proto3 JSON
// mapping (lowerCamelCase names, int64 as a string, Timestamp as an RFC 3339 string)
const GOOGLE = {
  dockerImage: {
    fields: { name: ["string"], uri: ["string"], tags: ["array"], imageSizeBytes: ["string"], uploadTime: ["string"], mediaType: ["string"], buildTime: ["string"], updateTime: ["string"] },
    required: ["name", "uri"],
  } satisfies Shape,
};

describe("Google stand-in against Artifact Registry's protos", () => {
  let g: GoogleStandIn;
  beforeAll(async () => {
    g = await startGoogle();
    g.createServiceAccount("contract", "reader");
    g.createRepository("docker");
    await pushImage(g.asRegistry(), `${g.project}/docker/api:1.0`, { layers: [{ files: { a: "1" } }] });
  });
  afterAll(() => g?.stop());

  it("dockerImages: documented fields only, in the proto3 JSON mapping", async () => {
    const res = await fetch(`${g.apiUrl}/v1/projects/${g.project}/locations/${g.location}/repositories/docker/dockerImages`, { headers: { authorization: `Bearer ${g.accessToken()}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    for (const k of Object.keys(body)) expect(["dockerImages", "nextPageToken"]).toContain(k);
    const images = body.dockerImages as Record<string, unknown>[];
    expect(images.length).toBeGreaterThan(0);
    for (const i of images) expectShape("DockerImage", i, GOOGLE.dockerImage);
  });
});

// ---------------------------------------------------------------------------------------------
// Amazon ECR Public: the ECR Public API reference as @aws-sdk/client-ecr-public's models carry it
// (ImageDetail members; Registry registryId, registryArn, registryUri, verified, aliases required;
// RegistryAlias name, status, primaryRegistryAlias, defaultRegistryAlias; DescribeImages maxResults
// "between 1 and 1000"; signing name ecr-public, us-east-1)
const ECR_PUBLIC = {
  imageDetail: {
    fields: Object.fromEntries(["registryId", "repositoryName", "imageDigest", "imageSizeInBytes", "imagePushedAt", "imageManifestMediaType", "artifactMediaType", "imageTags"].map((k) => [k, ["string", "number", "integer", "array"]])),
    required: ["registryId", "repositoryName", "imageDigest"],
  } satisfies Shape,
  registry: {
    fields: { registryId: ["string"], registryArn: ["string"], registryUri: ["string"], verified: ["boolean"], aliases: ["array"] },
    required: ["registryId", "registryArn", "registryUri", "verified", "aliases"],
  } satisfies Shape,
  alias: {
    fields: { name: ["string"], status: ["string"], primaryRegistryAlias: ["boolean"], defaultRegistryAlias: ["boolean"] },
    required: ["name", "status", "primaryRegistryAlias", "defaultRegistryAlias"],
  } satisfies Shape,
};

describe("ECR Public stand-in against the ECR Public API reference (SDK models)", () => {
  let pub: EcrPublicStandIn;
  let client: ECRPUBLICClient;
  beforeAll(async () => {
    pub = await startEcrPublic();
    pub.createRepository("api");
    await pushImage(pub.asRegistry(), `${pub.alias}/api:1.0`, { layers: [{ files: { a: "1" } }] });
    client = new ECRPUBLICClient({ region: "us-east-1", endpoint: pub.apiUrl, credentials: { accessKeyId: "AKIAREGATTAPUBLIC001", secretAccessKey: "ecr-public-secret-01" }, maxAttempts: 1 });
  });
  afterAll(() => pub?.stop());

  it("DescribeRegistries and DescribeImages: documented members only; maxResults above 1000 refused; only us-east-1", async () => {
    const regs = await client.send(new DescribeRegistriesCommand({}));
    for (const r of regs.registries ?? []) {
      expectShape("Registry", JSON.parse(JSON.stringify(r)), ECR_PUBLIC.registry);
      for (const a of r.aliases ?? []) expectShape("RegistryAlias", JSON.parse(JSON.stringify(a)), ECR_PUBLIC.alias);
    }
    const out = await client.send(new PublicDescribeImages({ repositoryName: "api" }));
    expect(out.imageDetails?.length).toBe(1);
    for (const d of out.imageDetails ?? []) expectShape("ImageDetail", JSON.parse(JSON.stringify(d)), ECR_PUBLIC.imageDetail);
    await expect(client.send(new PublicDescribeImages({ repositoryName: "api", maxResults: 1001 }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    const elsewhere = new ECRPUBLICClient({ region: "eu-west-1", endpoint: pub.apiUrl, credentials: { accessKeyId: "AKIAREGATTAPUBLIC001", secretAccessKey: "ecr-public-secret-01" }, maxAttempts: 1 });
    await expect(elsewhere.send(new DescribeRegistriesCommand({}))).rejects.toMatchObject({ name: "InvalidSignatureException" });
  });
});

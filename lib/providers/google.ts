import "server-only";
// Google Artifact Registry (and gcr.io repositories hosted in it). A service-account JSON key:
// google-auth-library signs the JWT assertion and exchanges it for an access token (about an hour;
// asked again 5 minutes before), sent to /v2 as oauth2accesstoken (or the key itself as _json_key).
// Repositories and tag metadata come from the Artifact Registry REST API; a tag is deleted through
// packages.tags.delete, which leaves the image and its other tags.
import { JWT } from "google-auth-library";
import { isLoopbackHost, pages, RegistryClient, RegistryError, type RegistryLogin } from "@/lib/registry";
import type { Connection, ConnectionTest, ProviderDefinition, RegistryProvider, TagMetadata } from "./types";
import { apiUrl as restUrl, vendorRequest, type VendorApi } from "./vendor-rest";
import { writeProbesAllowed } from "./probe-policy";
import { clientOptions } from "./generic";
import { defaultUrl } from "@/lib/schemas/registry";

const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";
const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
export const GOOGLE_REFRESH_EARLY_MS = 5 * 60_000;
export const ARTIFACT_REGISTRY_API = defaultUrl("GOOGLE", "defaultApiEndpoint");

export interface GoogleOptions {
  /** the clock that decides when the access token is due (tests move it) */
  now?: () => number;
}

interface ServiceAccountKey { client_email: string; private_key: string; private_key_id?: string; token_uri?: string; project_id?: string }

/** The pasted key, checked: a clear message instead of a library stack when it is not one. */
export function parseServiceAccountKey(text: string | undefined): ServiceAccountKey {
  let json: unknown;
  try {
    json = JSON.parse(text ?? "");
  } catch {
    throw new Error("the service account key is not JSON: paste the whole key file (it starts with {\"type\": \"service_account\"…)");
  }
  const k = json as Record<string, unknown>;
  if (k?.type !== "service_account" || typeof k.client_email !== "string" || typeof k.private_key !== "string") {
    throw new Error("the JSON is not a service account key: it needs type \"service_account\", client_email and private_key");
  }
  if (typeof k.token_uri === "string") {
    const u = new URL(k.token_uri);
    if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopbackHost(u.hostname))) throw new Error("the key's token_uri must be https");
  }
  return k as unknown as ServiceAccountKey;
}

/** Where the registry is: LOCATION-docker.pkg.dev, or a gcr.io domain (an Artifact Registry repository named after it). */
export function googleLocation(endpoint: string): { location?: string; gcrRepository?: string } {
  const host = new URL(endpoint).hostname.toLowerCase();
  const pkg = /^([a-z0-9-]+)-docker\.pkg\.dev$/.exec(host);
  if (pkg) return { location: pkg[1] };
  const gcr: Record<string, string> = { "gcr.io": "us", "us.gcr.io": "us", "eu.gcr.io": "europe", "asia.gcr.io": "asia" };
  if (gcr[host]) return { location: gcr[host], gcrRepository: host };
  return {};
}

export class GoogleAuth {
  private token?: { value: string; expiresAt: number };
  private pending?: Promise<{ value: string; expiresAt: number }>;
  /** token exchanges made (tests read it) */
  exchanges = 0;

  constructor(private readonly key: ServiceAccountKey, private readonly now: () => number) {}

  get email(): string {
    return this.key.client_email;
  }

  async current(): Promise<{ value: string; expiresAt: number }> {
    if (this.token && this.now() < this.token.expiresAt - GOOGLE_REFRESH_EARLY_MS) return this.token;
    this.pending ??= this.exchange().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async exchange() {
    this.exchanges++;
    // a new JWT client per exchange: the library's own cache follows the wall clock, ours `now`
    const jwt = new JWT({ email: this.key.client_email, key: this.key.private_key, keyId: this.key.private_key_id, scopes: [CLOUD_PLATFORM] });
    const tokenUri = this.key.token_uri;
    if (tokenUri && tokenUri !== GOOGLE_TOKEN_URL) {
      // google-auth-library always posts to oauth2.googleapis.com; the key's token_uri says where to
      jwt.transporter.interceptors.request.add({
        resolved: async (config) => {
          if (String(config.url) === GOOGLE_TOKEN_URL) config.url = new URL(tokenUri);
          return config;
        },
      });
    }
    const before = Date.now();
    let tokens;
    try {
      tokens = await jwt.authorize();
    } catch (e) {
      const data = (e as { response?: { data?: { error?: string; error_description?: string } } }).response?.data;
      throw new RegistryError({
        context: `getting an access token for ${this.key.client_email}`,
        codes: [data?.error ?? "NETWORK"],
        method: "POST",
        url: tokenUri ?? GOOGLE_TOKEN_URL,
        status: (e as { status?: number }).status ?? (e as { response?: { status?: number } }).response?.status,
        registryMessage: data?.error_description ?? (e as Error).message,
      });
    }
    if (!tokens.access_token) {
      throw new RegistryError({ context: `getting an access token for ${this.key.client_email}`, codes: ["MALFORMED"], method: "POST", url: tokenUri ?? GOOGLE_TOKEN_URL, reason: "no access_token in the answer" });
    }
    const lifetime = (tokens.expiry_date ?? before + 3600_000) - before;
    this.token = { value: tokens.access_token, expiresAt: this.now() + lifetime };
    return this.token;
  }
}

const googleErrorBody = (text: string) => {
  try {
    const e = JSON.parse(text).error;
    return { code: e?.status, message: e?.message };
  } catch {
    return {};
  }
};

interface DockerImage { name: string; uri: string; tags?: string[]; imageSizeBytes?: string; uploadTime?: string; updateTime?: string; mediaType?: string }

export function openGoogle(c: Connection, opts: GoogleOptions = {}): RegistryProvider & { auth: GoogleAuth } {
  const now = opts.now ?? Date.now;
  const raw = c.credentials?.serviceAccountJson?.trim() ?? "";
  let key: ServiceAccountKey | undefined;
  let keyError: string | undefined;
  try {
    key = parseServiceAccountKey(raw);
  } catch (e) {
    keyError = (e as Error).message;
  }
  const auth = new GoogleAuth(key ?? { client_email: "", private_key: "" }, now);
  const loginUser = c.credentials?.loginUser?.trim() || "oauth2accesstoken";
  const keyProblem = () =>
    new RegistryError({ context: `connecting to ${c.endpoint}`, codes: ["UNAUTHORIZED"], method: "GET", url: c.endpoint, reason: keyError ?? "no service account key" });
  const credentials = async (): Promise<RegistryLogin> => {
    if (!key) throw keyProblem();
    if (loginUser === "_json_key") return { username: "_json_key", password: raw };
    return { username: "oauth2accesstoken", password: (await auth.current()).value };
  };
  const client = new RegistryClient({ endpoint: c.endpoint, insecure: c.insecure, credentials, options: clientOptions(c) });

  const where = googleLocation(c.endpoint);
  const location = c.credentials?.location?.trim() || where.location;
  const [project, arRepository] = (() => {
    const parts = (c.namespace ?? "").split("/").filter(Boolean);
    return where.gcrRepository ? [parts[0], where.gcrRepository] : [parts[0], parts[1]];
  })();
  const base = c.apiEndpoint ?? ARTIFACT_REGISTRY_API;
  let bearer = "";
  const api: VendorApi = { base, name: "Artifact Registry API", insecure: c.insecure, authorization: () => (bearer ? `Bearer ${bearer}` : undefined), parseError: googleErrorBody };
  const repoPath = () => {
    if (!project || !arRepository) {
      throw new RegistryError({ context: "listing images", codes: ["NAME_INVALID"], method: "GET", url: base, reason: "set the namespace to project/repository (e.g. my-project/my-repo)" });
    }
    if (!location) {
      throw new RegistryError({ context: "listing images", codes: ["NAME_INVALID"], method: "GET", url: base, reason: "the location cannot be told from the endpoint host: fill in Location (e.g. us, europe-west1)" });
    }
    return `/v1/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(location)}/repositories/${encodeURIComponent(arRepository)}`;
  };
  const request = async <T>(method: string, path: string, what: string, query?: Record<string, string | number | undefined>) => {
    if (!key) throw keyProblem();
    bearer = (await auth.current()).value;
    return vendorRequest<T>(api, method, restUrl(base, path, query), what);
  };

  /** Every docker image of the repository (pages of up to 1000), with its /v2 path. */
  const allImages = async (pageSize = 1000) => {
    const out: (DockerImage & { path: string; digest: string })[] = [];
    const what = `listing images of ${project}/${arRepository} (Artifact Registry)`;
    // the first page has no pageToken: "" stands for it
    const fetch = async (pageToken: string) => {
      const page = await request<{ dockerImages?: DockerImage[]; nextPageToken?: string }>("GET", `${repoPath()}/dockerImages`, what, { pageSize, pageToken: pageToken || undefined });
      return { items: page.body?.dockerImages ?? [], next: page.body?.nextPageToken || undefined, bytes: page.bytes };
    };
    for await (const images of pages({ what, first: "", fetch })) {
      for (const img of images) {
        // uri: HOST/PROJECT/REPOSITORY/IMAGE@sha256:… (gcr.io: HOST/PROJECT/IMAGE@…): the /v2 name is after the host
        const at = img.uri.lastIndexOf("@");
        out.push({ ...img, path: img.uri.slice(img.uri.indexOf("/") + 1, at), digest: img.uri.slice(at + 1) });
      }
    }
    return out;
  };

  return {
    client,
    auth,
    testConnection: () => testGoogle({ c, key, keyError, auth, client, request, repoPath, project, arRepository, location }),
    async listRepositories({ cursor, pageSize, query }) {
      const counts = new Map<string, number>();
      for (const img of await allImages()) counts.set(img.path, (counts.get(img.path) ?? 0) + (img.tags?.length ?? 0));
      const names = [...counts.keys()].filter((n) => !query || n.includes(query)).sort();
      const start = cursor ? Number(cursor) || 0 : 0;
      const slice = names.slice(start, start + pageSize);
      return { repositories: slice.map((name) => ({ name, tagCount: counts.get(name) })), ...(start + pageSize < names.length ? { nextCursor: String(start + pageSize) } : {}) };
    },
    // Artifact Registry repositories are private: "By default, … only users with permissions can access"
    // them; public only when its IAM policy grants allUsers the Reader role (cloud.google.com/artifact-registry/docs/access-control).
    // Regatta does not read IAM policies: a repository made public that way shows as private (README)
    async visibility() {
      return { visibility: "private" as const, basis: "Artifact Registry repositories are private unless IAM grants allUsers read (not checked)" };
    },
    async tagMetadata(repository) {
      // Artifact Registry does not say who pushed (Data Access audit logs do): pushedBy stays absent
      return (await allImages())
        .filter((img) => img.path === repository)
        .flatMap((img) => (img.tags ?? []).map((tag): TagMetadata => ({ tag, digest: img.digest, pushedAt: img.uploadTime, size: img.imageSizeBytes ? Number(img.imageSizeBytes) : undefined })));
    },
    deleteMethod: { scope: "tag", explanation: "Artifact Registry removes only this tag (packages.tags.delete); the image and its other tags stay." },
    async deleteTag(repository, tag) {
      const prefix = where.gcrRepository ? `${project}/` : `${project}/${arRepository}/`;
      if (!repository.startsWith(prefix)) {
        throw new RegistryError({ context: `deleting ${repository}:${tag}`, codes: ["NAME_INVALID"], method: "DELETE", url: base, reason: `${repository} is not in ${project}/${arRepository}` });
      }
      const pkg = encodeURIComponent(repository.slice(prefix.length));
      await request("DELETE", `${repoPath()}/packages/${pkg}/tags/${encodeURIComponent(tag)}`, `deleting ${repository}:${tag} (Artifact Registry)`);
    },
    async credentialExpiry() {
      // _json_key never expires by itself; the access token does, and is renewed on the way
      if (!key || loginUser === "_json_key") return null;
      return new Date((await auth.current()).expiresAt).toISOString();
    },
  };
}

async function testGoogle(p: {
  c: Connection;
  key?: ServiceAccountKey;
  keyError?: string;
  auth: GoogleAuth;
  client: RegistryClient;
  request: <T>(method: string, path: string, what: string, query?: Record<string, string | number | undefined>) => Promise<{ body: T }>;
  repoPath: () => string;
  project?: string;
  arRepository?: string;
  location?: string;
}): Promise<ConnectionTest> {
  const fail = (reachable: boolean, message: string, missing: string[] = []): ConnectionTest => ({ reachable, authenticated: false, catalog: false, delete: null, message, missing });
  if (!p.key) return fail(false, p.keyError ?? "no service account key");
  try {
    await p.auth.current();
  } catch (e) {
    const err = e as RegistryError;
    const code = err.codes?.[0];
    if (code === "invalid_grant") return fail(true, `Google refused the key of ${p.key.client_email}: ${err.registryMessage}. The key may have been deleted or the account disabled: create a new key.`);
    if (code === "NETWORK") return fail(false, `cannot reach Google's token endpoint: ${err.registryMessage}`);
    return fail(true, `getting an access token failed: ${code}: ${err.registryMessage ?? err.message}`);
  }
  const ping = await p.client.ping();
  if (!ping.ok) return fail(ping.status > 0, ping.status > 0 ? `the registry refused ${p.key.client_email}: ${ping.message ?? ping.status}` : `cannot reach ${p.client.registry}: ${ping.message ?? "no answer"}`);
  const missing: string[] = [];
  const notes: string[] = [];
  let catalog = false;
  let del: boolean | null = null;
  try {
    await p.request("GET", `${p.repoPath()}/dockerImages`, "listing images", { pageSize: 1 });
    catalog = true;
  } catch (e) {
    const err = e as RegistryError;
    if (err.status === 403) {
      missing.push("roles/artifactregistry.reader");
      notes.push(`Listing images needs the Artifact Registry Reader role: ${err.registryMessage}`);
    } else if (err.status === 404) {
      notes.push(`The repository ${p.project}/${p.arRepository} was not found in location ${p.location}: check the namespace and the location.`);
    } else {
      notes.push(`Listing images failed: ${err.registryMessage ?? err.message}`);
    }
  }
  if (catalog && writeProbesAllowed()) {
    // a tag nobody has: 404 when deleting is allowed, 403 when not; nothing is removed
    try {
      await p.request("DELETE", `${p.repoPath()}/packages/regatta-probe/tags/probe-${Date.now().toString(36)}`, "checking delete permission");
      del = true;
    } catch (e) {
      const err = e as RegistryError;
      if (err.status === 404) del = true;
      else if (err.status === 403) {
        del = false;
        missing.push("roles/artifactregistry.repoAdmin");
        notes.push("Deleting tags needs the Artifact Registry Repository Administrator role.");
      }
    }
  }
  return {
    reachable: true,
    authenticated: true,
    catalog,
    delete: del,
    message: [`Connected to ${p.client.registry} as ${p.key.client_email}${p.c.credentials?.loginUser === "_json_key" ? " (_json_key)" : " (access token)"}.`, ...notes].join(" "),
    missing,
  };
}

export const google: ProviderDefinition = {
  kind: "GOOGLE",
  defaultApiEndpoint: () => ARTIFACT_REGISTRY_API,
  open: (c) => openGoogle(c),
};

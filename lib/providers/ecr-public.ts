import "server-only";
// Amazon ECR Public (public.ecr.aws). The control API through @aws-sdk/client-ecr-public (SigV4,
// signing name ecr-public; the API lives only in us-east-1); /v2 through public.ecr.aws's token
// flow with AWS:<password from GetAuthorizationToken>, asked again before its 12 hours run out.
// Repositories are public.ecr.aws/<registry alias>/<name>; the API names them without the alias,
// which comes from the namespace field or DescribeRegistries' primary alias.
import {
  BatchDeleteImageCommand,
  DescribeImagesCommand,
  DescribeRegistriesCommand,
  DescribeRepositoriesCommand,
  ECRPUBLICClient,
  GetAuthorizationTokenCommand,
} from "@aws-sdk/client-ecr-public";
import { allPages, pages, RegistryClient, RegistryError, type RegistryLogin } from "@/lib/registry";
import { ECR_REFRESH_EARLY_MS } from "./ecr";
import { pingFailed } from "./generic";
import type { Connection, ConnectionTest, ProviderDefinition, RegistryProvider, TagMetadata } from "./types";
import { defaultUrl } from "@/lib/schemas/registry";

export const ECR_PUBLIC_ENDPOINT = defaultUrl("ECR_PUBLIC", "defaultEndpoint");
/** ECR Public's API exists only in us-east-1 (ECR Public API reference, "Service endpoints"). */
export const ECR_PUBLIC_REGION = "us-east-1";
const ECR_PUBLIC_API = defaultUrl("ECR_PUBLIC", "defaultApiEndpoint");

interface AwsLikeError { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }

function asRegistryError(e: unknown, context: string, url: string): RegistryError {
  if (e instanceof RegistryError) return e;
  const err = e as AwsLikeError;
  const status = err.$metadata?.httpStatusCode;
  const network = !status && !/Exception$/.test(err.name ?? "");
  return new RegistryError({ context, codes: [network ? "NETWORK" : err.name ?? "AWS_ERROR"], method: "POST", url, status, registryMessage: err.message, cause: e });
}

export function openEcrPublic(c: Connection, opts: { now?: () => number } = {}): RegistryProvider {
  const now = opts.now ?? Date.now;
  const creds = c.credentials ?? {};
  const apiUrl = c.apiEndpoint ?? ECR_PUBLIC_API;
  const accessKeyId = creds.accessKeyId?.trim();
  const api = new ECRPUBLICClient({
    region: ECR_PUBLIC_REGION,
    endpoint: apiUrl,
    ...(accessKeyId ? { credentials: { accessKeyId, secretAccessKey: creds.secretAccessKey ?? "" } } : {}),
    maxAttempts: 2,
  });
  const call = async <T>(what: string, send: () => Promise<T>): Promise<T> => {
    try {
      return await send();
    } catch (e) {
      throw asRegistryError(e, what, apiUrl);
    }
  };

  let token: { credentials: RegistryLogin; expiresAt: number } | undefined;
  let pending: Promise<RegistryLogin> | undefined;
  const credentials = async (): Promise<RegistryLogin> => {
    if (token && now() < token.expiresAt - ECR_REFRESH_EARLY_MS) return token.credentials;
    pending ??= (async () => {
      const out = await call("getting an ECR Public authorization token", () => api.send(new GetAuthorizationTokenCommand({})));
      const decoded = Buffer.from(out.authorizationData?.authorizationToken ?? "", "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon < 0) throw new RegistryError({ context: "getting an ECR Public authorization token", codes: ["MALFORMED"], method: "POST", url: apiUrl, reason: "the answer carries no usable authorizationData" });
      token = { credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }, expiresAt: out.authorizationData?.expiresAt?.getTime() ?? now() + 3600_000 };
      return token.credentials;
    })().finally(() => (pending = undefined));
    return pending;
  };
  const client = new RegistryClient({ endpoint: c.endpoint, insecure: c.insecure, credentials, options: { timeoutMs: 10_000, retries: 1 } });

  let aliasP: Promise<string> | undefined;
  /** the registry alias: the namespace field, else DescribeRegistries' primary alias */
  const alias = (): Promise<string> => {
    const set = c.namespace?.trim().replace(/^\/+|\/+$/g, "");
    if (set) return Promise.resolve(set);
    aliasP ??= call("reading the ECR Public registry alias (DescribeRegistries)", () => api.send(new DescribeRegistriesCommand({}))).then((out) => {
      const aliases = out.registries?.[0]?.aliases ?? [];
      const found = (aliases.find((a) => a.primaryRegistryAlias) ?? aliases.find((a) => a.defaultRegistryAlias) ?? aliases[0])?.name;
      if (!found) throw new RegistryError({ context: "reading the ECR Public registry alias", codes: ["NAME_UNKNOWN"], method: "POST", url: apiUrl, reason: "this account has no public registry alias yet" });
      return found;
    }).catch((e) => {
      aliasP = undefined;
      throw e;
    });
    return aliasP;
  };
  /** public.ecr.aws/<alias>/<name> → <name> as the API names it */
  const apiName = async (repository: string) => {
    const a = await alias();
    if (!repository.startsWith(`${a}/`)) throw new RegistryError({ context: `reading ${repository}`, codes: ["NAME_INVALID"], method: "POST", url: apiUrl, reason: `${repository} is not under ${a}/, this registry's alias` });
    return repository.slice(a.length + 1);
  };

  return {
    client,
    async testConnection(): Promise<ConnectionTest> {
      try {
        await credentials();
      } catch (e) {
        const err = asRegistryError(e, "getting an ECR Public token", apiUrl);
        const code = err.codes[0] ?? "";
        if (code === "NETWORK") return { reachable: false, authenticated: false, catalog: false, delete: null, message: `cannot reach the ECR Public API at ${apiUrl}: ${err.registryMessage ?? err.message}` };
        return { reachable: true, authenticated: false, catalog: false, delete: null, message: `AWS refused ecr-public:GetAuthorizationToken (${code}: ${err.registryMessage ?? err.message}). The key needs ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken.`, missing: ["ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken"] };
      }
      const ping = await client.ping();
      if (!ping.ok) return pingFailed(client, ping, { refused: `${client.registry} refused the ECR Public token` });
      const findings = [`Connected to ${client.registry} with ${accessKeyId ? `access key ${accessKeyId}` : "the default AWS credential chain"} (ECR Public, ${ECR_PUBLIC_REGION}).`];
      let catalog = false;
      try {
        const a = await alias();
        const page = await api.send(new DescribeRepositoriesCommand({ maxResults: 1 }));
        catalog = true;
        findings.push(`Registry alias ${a}: ${page.repositories?.length ? "repositories can be listed" : "no repositories yet (create them in the console or with CreateRepository: a push does not create one)"}.`);
      } catch (e) {
        findings.push(`Listing repositories failed: ${(e as Error).message}.`);
      }
      return { reachable: true, authenticated: true, catalog, delete: null, message: findings.join(" "), missing: [] };
    },
    async listRepositories({ cursor, pageSize, query }) {
      const a = await alias();
      const repositories: { name: string }[] = [];
      let nextToken = cursor;
      const what = "listing repositories (ECR Public DescribeRepositories)";
      const fetch = async (token: string) => {
        const page = await call(what, () => api.send(new DescribeRepositoriesCommand({ maxResults: Math.min(Math.max(pageSize, 1), 1000), nextToken: token || undefined })));
        nextToken = page.nextToken || undefined;
        return { items: page.repositories ?? [], next: nextToken };
      };
      for await (const page of pages({ what, first: cursor ?? "", fetch })) {
        for (const r of page) if (r.repositoryName && (!query || r.repositoryName.includes(query))) repositories.push({ name: `${a}/${r.repositoryName}` });
        if (!nextToken || repositories.length >= pageSize) break;
      }
      return { repositories, ...(nextToken ? { nextCursor: nextToken } : {}) };
    },
    async tagMetadata(repository): Promise<TagMetadata[]> {
      const name = await apiName(repository);
      const what = `describing images of ${repository} (ECR Public DescribeImages)`;
      // the first page has no nextToken: "" stands for it
      const fetch = async (token: string) => {
        const page = await call(what, () => api.send(new DescribeImagesCommand({ repositoryName: name, maxResults: 1000, nextToken: token || undefined })));
        return { items: page.imageDetails ?? [], next: page.nextToken || undefined };
      };
      const out: TagMetadata[] = [];
      for (const d of await allPages({ what, first: "", fetch })) for (const tag of d.imageTags ?? []) out.push({ tag, digest: d.imageDigest, pushedAt: d.imagePushedAt?.toISOString(), size: d.imageSizeInBytes });
      return out;
    },
    deleteMethod: { scope: "tag", explanation: "ECR Public removes only this tag (BatchDeleteImage by tag); the image goes when its last tag does" },
    async deleteTag(repository, tag, digest) {
      const name = await apiName(repository);
      const what = `deleting ${repository}:${tag} (ECR Public BatchDeleteImage)`;
      const out = await call(what, () => api.send(new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: tag, ...(digest ? { imageDigest: digest } : {}) }] })));
      const failure = out.failures?.[0];
      if (failure) {
        throw new RegistryError({ context: what, codes: [failure.failureCode ?? "DELETE_FAILED"], method: "POST", url: apiUrl, status: failure.failureCode === "ImageNotFound" ? 404 : failure.failureCode === "ImageTagDoesNotMatchDigest" ? 409 : 400, registryMessage: failure.failureReason });
      }
    },
    async credentialExpiry() {
      await credentials();
      return token ? new Date(token.expiresAt).toISOString() : null;
    },
  };
}

export const ecrPublic: ProviderDefinition = {
  kind: "ECR_PUBLIC",
  defaultApiEndpoint: () => ECR_PUBLIC_API,
  open: (c) => openEcrPublic(c),
};

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
import { RegistryClient, RegistryError } from "@/lib/registry";
import { allImages, asRegistryError, awsCaller, AwsTokenCache, batchDeleteFailure, loginFromAuthorizationToken, repositoryPage, tagRows, type AwsToken } from "./aws";
import { clientOptions, pingFailed } from "./generic";
import type { Connection, ConnectionTest, ProviderDefinition, RegistryProvider, TagMetadata } from "./types";
import { defaultUrl } from "@/lib/schemas/registry";

export const ECR_PUBLIC_ENDPOINT = defaultUrl("ECR_PUBLIC", "defaultEndpoint");
/** ECR Public's API exists only in us-east-1 (ECR Public API reference, "Service endpoints"). */
export const ECR_PUBLIC_REGION = "us-east-1";
const ECR_PUBLIC_API = defaultUrl("ECR_PUBLIC", "defaultApiEndpoint");

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
  const call = awsCaller(apiUrl);

  const auth = new AwsTokenCache<AwsToken>(async () => {
    const what = "getting an ECR Public authorization token";
    const out = await call(what, () => api.send(new GetAuthorizationTokenCommand({})));
    const credentials = loginFromAuthorizationToken(out.authorizationData?.authorizationToken, what, apiUrl);
    return { credentials, expiresAt: out.authorizationData?.expiresAt?.getTime() ?? now() + 3600_000 };
  }, now);
  const credentials = async () => (await auth.current()).credentials;
  const client = new RegistryClient({ endpoint: c.endpoint, insecure: c.insecure, credentials, options: clientOptions(c) });

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
      const what = "listing repositories (ECR Public DescribeRepositories)";
      const describe = (maxResults: number, nextToken?: string) => call(what, () => api.send(new DescribeRepositoriesCommand({ maxResults, nextToken })));
      return repositoryPage({ what, cursor, pageSize, describe, name: (n) => (!query || n.includes(query) ? `${a}/${n}` : null) });
    },
    async tagMetadata(repository): Promise<TagMetadata[]> {
      const name = await apiName(repository);
      const what = `describing images of ${repository} (ECR Public DescribeImages)`;
      return tagRows(await allImages(what, (nextToken) => call(what, () => api.send(new DescribeImagesCommand({ repositoryName: name, maxResults: 1000, nextToken })))));
    },
    deleteMethod: { scope: "tag", explanation: "ECR Public removes only this tag (BatchDeleteImage by tag); the image goes when its last tag does" },
    async deleteTag(repository, tag, digest) {
      const name = await apiName(repository);
      const what = `deleting ${repository}:${tag} (ECR Public BatchDeleteImage)`;
      const out = await call(what, () => api.send(new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: tag, ...(digest ? { imageDigest: digest } : {}) }] })));
      const failure = out.failures?.[0];
      if (failure) throw batchDeleteFailure(failure, what, apiUrl);
    },
    // ECR Public: "a public repository … is publicly visible, and anyone can pull images from it" (Amazon ECR Public User Guide, Public repositories); there are no private ones
    async visibility() {
      return { visibility: "public" as const, basis: "Amazon ECR Public repositories are public by definition" };
    },
    async credentialExpiry() {
      return new Date((await auth.current()).expiresAt).toISOString();
    },
  };
}

export const ecrPublic: ProviderDefinition = {
  kind: "ECR_PUBLIC",
  defaultApiEndpoint: () => ECR_PUBLIC_API,
  open: (c) => openEcrPublic(c),
};

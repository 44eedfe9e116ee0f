import "server-only";
// Amazon ECR (private). The control API through @aws-sdk/client-ecr (SigV4, JSON 1.1); /v2 with
// Basic AWS:<token> from GetAuthorizationToken, asked again before its 12 hours run out. A tag
// is written through PutImage (the one call that tells "already there" from "immutable"), and
// deleted through BatchDeleteImage by tag, which removes only that tag.
import {
  BatchDeleteImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  PutImageCommand,
  type ImageDetail,
} from "@aws-sdk/client-ecr";
import { computeDigest, isDigest, RegistryClient, RegistryError, type PutManifestResult } from "@/lib/registry";
import { allImages, asRegistryError, awsCaller, awsName, AwsTokenCache, batchDeleteFailure, loginFromAuthorizationToken, repositoryPage, tagRows, type AwsToken } from "./aws";
import type { Connection, ConnectionTest, ProviderDefinition, RegistryProvider } from "./types";
import { writeProbesAllowed } from "./probe-policy";
import { clientOptions } from "./generic";

export { ECR_REFRESH_EARLY_MS } from "./aws";

export interface EcrOptions {
  /** the clock that decides when the token is due (tests move it) */
  now?: () => number;
}

interface Token extends AwsToken { proxyEndpoint?: string }

/** The ECR token of GetAuthorizationToken, with the registry host it is for (proxyEndpoint). */
export class EcrAuth extends AwsTokenCache<Token> {
  constructor(api: ECRClient, apiUrl: string, now: () => number) {
    super(async () => {
      const what = "getting an ECR authorization token";
      const out = await awsCaller(apiUrl)(what, () => api.send(new GetAuthorizationTokenCommand({})));
      const data = out.authorizationData?.[0];
      const credentials = loginFromAuthorizationToken(data?.authorizationToken, what, apiUrl);
      if (!data?.expiresAt) throw new RegistryError({ context: what, codes: ["MALFORMED"], method: "POST", url: apiUrl, reason: "the answer carries no usable authorizationData" });
      return { credentials, expiresAt: data.expiresAt.getTime(), proxyEndpoint: data.proxyEndpoint };
    }, now);
  }
}

/**
 * /v2 client whose tag writes go through PutImage: ECR answers ImageAlreadyExistsException when
 * the tag already names these bytes (success here) and ImageTagAlreadyExistsException on an
 * immutable repository (said in plain words). Digest writes, blobs and reads stay on /v2.
 */
export class EcrRegistryClient extends RegistryClient {
  constructor(
    config: ConstructorParameters<typeof RegistryClient>[0],
    private readonly api: ECRClient,
    private readonly apiUrl: string,
  ) {
    super(config);
  }

  override async putManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string, signal?: AbortSignal): Promise<string> {
    return (await this.putManifestDetailed(repository, reference, bytes, mediaType, signal)).digest;
  }

  override async putManifestDetailed(repository: string, reference: string, bytes: Uint8Array, mediaType: string, signal?: AbortSignal): Promise<PutManifestResult> {
    if (isDigest(reference)) return super.putManifestDetailed(repository, reference, bytes, mediaType, signal);
    const digest = computeDigest(bytes);
    const context = `writing manifest ${this.registry}/${repository}:${reference} (ECR PutImage)`;
    try {
      await this.api.send(
        new PutImageCommand({ repositoryName: repository, imageTag: reference, imageManifest: Buffer.from(bytes).toString("utf8"), imageManifestMediaType: mediaType, imageDigest: digest }),
        { abortSignal: signal },
      );
    } catch (e) {
      if (awsName(e) === "ImageAlreadyExistsException") return { digest };
      if (awsName(e) === "ImageTagAlreadyExistsException") {
        // immutable repositories refuse even the same digest: that one is already where it should be
        const head = await this.headManifest(repository, reference, signal).catch(() => null);
        if (head?.digest === digest) return { digest };
        throw new RegistryError({
          context,
          codes: ["TAG_INVALID"],
          method: "POST",
          url: this.apiUrl,
          status: 400,
          registryMessage: `repository ${repository} has immutable tags: ${reference} already exists and cannot be moved (${(e as Error).message})`,
        });
      }
      throw asRegistryError(e, context, this.apiUrl);
    }
    return { digest };
  }
}

const regionalApi = (region: string) => `https://api.ecr.${region}.amazonaws.com`;

export function openEcr(c: Connection, opts: EcrOptions = {}): RegistryProvider & { auth: EcrAuth } {
  const now = opts.now ?? Date.now;
  const creds = c.credentials ?? {};
  const region = creds.region?.trim() || "us-east-1";
  const apiUrl = c.apiEndpoint ?? regionalApi(region);
  const accessKeyId = creds.accessKeyId?.trim();
  const api = new ECRClient({
    region,
    endpoint: apiUrl,
    // empty key fields: the SDK's default chain (environment, shared files, instance role)
    ...(accessKeyId ? { credentials: { accessKeyId, secretAccessKey: creds.secretAccessKey ?? "" } } : {}),
    maxAttempts: 2,
  });
  const auth = new EcrAuth(api, apiUrl, now);
  const client = new EcrRegistryClient(
    { endpoint: c.endpoint, insecure: c.insecure, credentials: async () => (await auth.current()).credentials, options: clientOptions(c) },
    api,
    apiUrl,
  );
  const prefix = c.namespace?.trim().replace(/\/+$/, "") || "";

  const call = awsCaller(apiUrl);

  const images = (repository: string, maxResults = 1000): Promise<ImageDetail[]> => {
    const what = `describing images of ${repository} (ECR DescribeImages)`;
    return allImages(what, (nextToken) => call(what, () => api.send(new DescribeImagesCommand({ repositoryName: repository, filter: { tagStatus: "TAGGED" }, maxResults, nextToken }))));
  };

  return {
    client,
    auth,
    async testConnection() {
      return testEcr({ c, api, apiUrl, auth, client, region, prefix });
    },
    async listRepositories({ cursor, pageSize, query }) {
      const what = "listing repositories (ECR DescribeRepositories)";
      const describe = (maxResults: number, nextToken?: string) => call(what, () => api.send(new DescribeRepositoriesCommand({ maxResults, nextToken })));
      const name = (n: string) => ((!prefix || n === prefix || n.startsWith(`${prefix}/`)) && (!query || n.includes(query)) ? n : null);
      return repositoryPage({ what, cursor, pageSize, describe, name });
    },
    // an ECR (private) registry needs AWS credentials for every pull; a repository policy can widen that to other AWS principals, never to anonymous pulls (Amazon ECR User Guide, Private repositories)
    async visibility() {
      return { visibility: "private" as const, basis: "Amazon ECR private registry: every pull needs AWS credentials" };
    },
    async tagsImmutable(repository) {
      // imageTagMutability: MUTABLE | IMMUTABLE | IMMUTABLE_WITH_EXCLUSION | MUTABLE_WITH_EXCLUSION (AWS ECR API reference, Repository)
      const page = await call("reading the tag mutability (ECR DescribeRepositories)", () => api.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] })));
      return page.repositories?.[0]?.imageTagMutability === "IMMUTABLE";
    },
    async tagMetadata(repository) {
      return tagRows(await images(repository));
    },
    deleteMethod: { scope: "tag", explanation: "ECR removes only this tag (BatchDeleteImage by tag); the image itself goes when its last tag does." },
    async deleteTag(repository, tag, digest) {
      // tag and digest together: ECR refuses (ImageTagDoesNotMatchDigest) when the tag moved since the user confirmed
      const out = await call(`deleting ${repository}:${tag} (ECR BatchDeleteImage)`, () =>
        api.send(new BatchDeleteImageCommand({ repositoryName: repository, imageIds: [{ imageTag: tag, ...(digest ? { imageDigest: digest } : {}) }] })),
      );
      const failure = out.failures?.[0];
      if (failure?.failureCode === "ImageReferencedByManifestList") {
        throw new RegistryError({
          context: `deleting ${repository}:${tag} (ECR BatchDeleteImage)`,
          codes: ["ImageReferencedByManifestList"],
          method: "POST",
          url: apiUrl,
          status: 409,
          reason: `${tag} is the last tag on an image that a multi-platform index (manifest list) in ${repository} lists, and ECR would delete that image with it: ECR refused (ImageReferencedByManifestList: ${failure.failureReason ?? "no reason given"}). Delete the index first, or keep this tag; nothing was deleted.`,
        });
      }
      if (failure) throw batchDeleteFailure(failure, `deleting ${repository}:${tag} (ECR BatchDeleteImage)`, apiUrl);
    },
    async credentialExpiry() {
      return new Date((await auth.current()).expiresAt).toISOString();
    },
  };
}

const IAM_HINT: Record<string, string> = {
  UnrecognizedClientException: "AWS does not know this access key id: check it, or create a new access key",
  InvalidClientTokenId: "AWS does not know this access key id: check it, or create a new access key",
  SignatureDoesNotMatch: "the secret access key does not belong to this access key id",
};

async function testEcr(p: { c: Connection; api: ECRClient; apiUrl: string; auth: EcrAuth; client: RegistryClient; region: string; prefix: string }): Promise<ConnectionTest> {
  const { api, auth, client, region } = p;
  const missing: string[] = [];
  const fail = (reachable: boolean, message: string, extra: string[] = []): ConnectionTest => ({ reachable, authenticated: false, catalog: false, delete: null, message, missing: extra });
  // 1. the keys, the region and ecr:GetAuthorizationToken
  let token: Token;
  try {
    token = await auth.current();
  } catch (e) {
    const err = e instanceof RegistryError ? e : asRegistryError(e, "getting an ECR token", p.apiUrl);
    const code = err.codes[0] ?? "";
    const text = err.registryMessage ?? err.message;
    if (code === "NETWORK") return fail(false, `cannot reach the ECR API at ${p.apiUrl}: ${text}`);
    if (IAM_HINT[code]) return fail(true, `${IAM_HINT[code]} (${code}: ${text})`);
    if (code === "InvalidSignatureException" && /region/i.test(text)) {
      return fail(true, `the region ${region} is wrong for this endpoint: AWS says "${text.trim()}". Check the Region field.`, ["the right region"]);
    }
    if (code === "InvalidSignatureException") return fail(true, `the secret access key does not belong to this access key id (${code}: ${text})`);
    if (code === "AccessDeniedException") return fail(true, `the key may not get registry tokens: ${text}`, ["ecr:GetAuthorizationToken"]);
    return fail(true, `AWS refused GetAuthorizationToken: ${code}: ${text}`);
  }
  // 2. /v2 with the token; a token names the registry it is for, so another host there most likely
  // means another region or account (dual-stack and FIPS hosts differ too: only a refusal counts)
  const tokenHost = token.proxyEndpoint ? new URL(token.proxyEndpoint).host : client.registry;
  const ping = await client.ping();
  if (!ping.ok) {
    if (ping.status > 0 && tokenHost !== client.registry) {
      return fail(true, `the registry refused the token, which region ${region} issued for ${tokenHost}, not ${client.registry}: check the Region field and the endpoint (https://<account>.dkr.ecr.<region>.amazonaws.com).`, ["the right region"]);
    }
    return fail(ping.status > 0, ping.status > 0 ? `the registry refused the ECR token: ${ping.message ?? ping.status}` : `cannot reach ${client.registry}: ${ping.message ?? "no answer"}`);
  }
  // 3. listing, metadata and delete, each its own IAM action
  const notes: string[] = [];
  let catalog = false;
  let first: string | undefined;
  const denied = (e: unknown, action: string) => {
    if (awsName(e) !== "AccessDeniedException") return false;
    missing.push(action);
    notes.push(`Missing ${action}: ${(e as Error).message}`);
    return true;
  };
  try {
    const page = await api.send(new DescribeRepositoriesCommand({ maxResults: 1000 }));
    catalog = true;
    first = page.repositories?.map((r) => r.repositoryName!).find((n) => !p.prefix || n.startsWith(p.prefix));
  } catch (e) {
    if (!denied(e, "ecr:DescribeRepositories")) notes.push(`Listing repositories failed: ${awsName(e)}: ${(e as Error).message}`);
  }
  let del: boolean | null = null;
  if (first) {
    try {
      await api.send(new DescribeImagesCommand({ repositoryName: first, maxResults: 1 }));
    } catch (e) {
      if (!denied(e, "ecr:DescribeImages")) notes.push(`Describing images failed: ${awsName(e)}: ${(e as Error).message}`);
    }
    // a tag nobody has: allowed → ImageNotFound in failures, nothing removed
    if (writeProbesAllowed()) {
      try {
        await api.send(new BatchDeleteImageCommand({ repositoryName: first, imageIds: [{ imageTag: `regatta-probe-${Date.now().toString(36)}` }] }));
        del = true;
      } catch (e) {
        if (denied(e, "ecr:BatchDeleteImage")) del = false;
      }
    }
  } else if (catalog) {
    notes.push("No repository to check ecr:DescribeImages and ecr:BatchDeleteImage on yet.");
  }
  const keyWho = p.c.credentials?.accessKeyId ? `access key ${p.c.credentials.accessKeyId}` : "the default AWS credential chain";
  return {
    reachable: true,
    authenticated: true,
    catalog,
    delete: del,
    message: [`Connected to ${client.registry} (region ${region}) with ${keyWho}; the token is valid until ${new Date(token.expiresAt).toISOString()}.`, ...notes].join(" "),
    missing,
  };
}

/**
 * The registry GetAuthorizationToken names for these keys and region (authorizationData[].proxyEndpoint,
 * "https://<account>.dkr.ecr.<region>.amazonaws.com" in the ECR API reference): the endpoint of a
 * connection saved with only region and keys. Must be a plain http(s) origin.
 */
export async function ecrProxyEndpoint(c: Omit<Connection, "endpoint">): Promise<string> {
  const p = openEcr({ ...c, endpoint: "https://ecr.invalid" });
  const token = await p.auth.current();
  const what = "finding the ECR registry of these keys (GetAuthorizationToken)";
  let url: URL | undefined;
  try {
    url = token.proxyEndpoint ? new URL(token.proxyEndpoint) : undefined;
  } catch { /* below */ }
  if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password || (url.pathname !== "/" && url.pathname !== "") || url.search) {
    throw new RegistryError({ context: what, codes: ["MALFORMED"], method: "POST", url: c.apiEndpoint ?? "https://api.ecr.amazonaws.com", reason: "AWS named no usable proxyEndpoint; give the endpoint (https://<account id>.dkr.ecr.<region>.amazonaws.com)" });
  }
  return url.origin;
}

export const ecr: ProviderDefinition = {
  kind: "ECR",
  defaultApiEndpoint: (c) => (c.credentials?.region?.trim() ? regionalApi(c.credentials.region.trim()) : undefined),
  open: (c) => openEcr(c),
  discoverEndpoint: ecrProxyEndpoint,
};

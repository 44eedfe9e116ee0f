// A loopback Amazon ECR Public (public.ecr.aws): the control API as the ECR Public API reference
// and @aws-sdk/client-ecr-public's models describe it (AWS JSON 1.1, POST / with
// X-Amz-Target: SpencerFrontendService.<Op>, SigV4 with signing name "ecr-public", only in
// us-east-1; errors {"__type","message"}), and a /v2 front in front of a real open registry:2 that
// answers like public.ecr.aws: a Bearer challenge whose realm (/token) takes Basic AWS:<password
// from GetAuthorizationToken> and hands out a registry token. Repositories live under the
// registry's alias (public.ecr.aws/<alias>/<repository>); the API names them without it.
import crypto from "node:crypto";
import http from "node:http";
import { proxyToBacking } from "./stand-in";
import { startRegistry, type RunningRegistry } from "../registry";
import { AwsError, listen, readBody, sigV4, type EcrKey } from "./ecr";
import { imageSize, removeStoredTag, storedManifest, storedTags } from "./storage";

export const ECR_PUBLIC_TARGET_PREFIX = "SpencerFrontendService";
const TOKEN_LIFETIME_MS = 12 * 3600_000;

export interface EcrPublicStandIn {
  accountId: string;
  alias: string;
  /** the control API endpoint (give it to ECRPUBLICClient as `endpoint`) */
  apiUrl: string;
  /** the /v2 front (https://public.ecr.aws at AWS) */
  url: string;
  host: string;
  backing: RunningRegistry;
  readonly calls: { op: string; status: number }[];
  createRepository(name: string): void;
  /** A RunningRegistry view of the front for skopeo: token mode, AWS:<password> at the realm. */
  asRegistry(): RunningRegistry;
  stop(): Promise<void>;
}

export async function startEcrPublic(opts: { alias?: string; keys?: Record<string, EcrKey> } = {}): Promise<EcrPublicStandIn> {
  const region = "us-east-1";
  const accountId = "210987654321";
  const alias = opts.alias ?? "regatta";
  const backing = await startRegistry({ mode: "open", name: "ecr-public-backing" });
  const keys = new Map(Object.entries(opts.keys ?? { AKIAREGATTAPUBLIC001: { secretAccessKey: "ecr-public-secret-01", user: "ci" } }));
  const repositories = new Map<string, number>(); // name → createdAt
  const passwords = new Map<string, number>(); // GetAuthorizationToken password → expiresAt
  const bearers = new Set<string>();
  const calls: EcrPublicStandIn["calls"] = [];
  let frontUrl = "";

  const issuePassword = () => {
    const password = crypto.randomBytes(24).toString("base64url");
    passwords.set(password, Date.now() + TOKEN_LIFETIME_MS);
    return password;
  };
  const needRepo = (name: unknown) => {
    if (typeof name !== "string" || !repositories.has(name)) throw new AwsError("RepositoryNotFoundException", `The repository with name '${String(name)}' does not exist in the registry with id '${accountId}'`);
    return name;
  };
  const stored = (name: string) => `${alias}/${name}`;
  const page = <T>(items: T[], input: { nextToken?: string; maxResults?: number }) => {
    const size = input.maxResults ?? 100;
    // DescribeRepositories / DescribeImages: "This value can be between 1 and 1000"
    if (size < 1 || size > 1000) throw new AwsError("InvalidParameterException", "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'");
    const start = input.nextToken ? Number(Buffer.from(input.nextToken, "base64").toString("utf8").replace(/^p:/, "")) : 0;
    if (!Number.isInteger(start) || start < 0) throw new AwsError("InvalidParameterException", "Invalid parameter at 'nextToken'");
    const next = start + size < items.length ? Buffer.from(`p:${start + size}`).toString("base64") : undefined;
    return { slice: items.slice(start, start + size), next };
  };

  const ops: Record<string, (input: any) => Promise<unknown> | unknown> = {
    // ECR Public's AuthorizationData has no proxyEndpoint (unlike private ECR)
    GetAuthorizationToken: () => ({ authorizationData: { authorizationToken: Buffer.from(`AWS:${issuePassword()}`).toString("base64"), expiresAt: (Date.now() + TOKEN_LIFETIME_MS) / 1000 } }),
    DescribeRegistries: () => ({
      registries: [{
        registryId: accountId, registryArn: `arn:aws:ecr-public::${accountId}:registry/${accountId}`, registryUri: `${new URL(frontUrl).host}/${alias}`, verified: false,
        aliases: [{ name: alias, status: "ACTIVE", primaryRegistryAlias: true, defaultRegistryAlias: true }],
      }],
    }),
    DescribeRepositories: (input) => {
      const names = input.repositoryNames ? (input.repositoryNames as string[]).map(needRepo) : [...repositories.keys()].sort();
      const { slice, next } = page(names, input);
      return {
        repositories: slice.map((n) => ({ repositoryArn: `arn:aws:ecr-public::${accountId}:repository/${n}`, registryId: accountId, repositoryName: n, repositoryUri: `${new URL(frontUrl).host}/${stored(n)}`, createdAt: repositories.get(n)! / 1000 })),
        ...(next ? { nextToken: next } : {}),
      };
    },
    DescribeImages: (input) => {
      const name = needRepo(input.repositoryName);
      const byDigest = new Map<string, string[]>();
      for (const t of storedTags(backing.dataDir, stored(name))) byDigest.set(t.digest, [...(byDigest.get(t.digest) ?? []), t.tag]);
      const details = [...byDigest].flatMap(([digest, tags]) => {
        const m = storedManifest(backing.dataDir, stored(name), digest);
        return m ? [{ registryId: accountId, repositoryName: name, imageDigest: digest, imageTags: tags, imageSizeInBytes: imageSize(backing.dataDir, stored(name), m), imagePushedAt: m.uploadedAt.getTime() / 1000, imageManifestMediaType: m.mediaType }] : [];
      });
      const { slice, next } = page(details, input);
      return { imageDetails: slice, ...(next ? { nextToken: next } : {}) };
    },
    BatchDeleteImage: async (input) => {
      const name = needRepo(input.repositoryName);
      const imageIds: unknown[] = [];
      const failures: unknown[] = [];
      for (const id of input.imageIds ?? []) {
        const tags = storedTags(backing.dataDir, stored(name));
        const t = id.imageTag ? tags.find((x) => x.tag === id.imageTag) : undefined;
        if (id.imageTag && !t) { failures.push({ imageId: id, failureCode: "ImageNotFound", failureReason: "Requested image not found" }); continue; }
        if (t && id.imageDigest && id.imageDigest !== t.digest) { failures.push({ imageId: id, failureCode: "ImageTagDoesNotMatchDigest", failureReason: "Invalid image digest and tag combination" }); continue; }
        if (t && tags.filter((x) => x.digest === t.digest).length > 1) removeStoredTag(backing.dataDir, stored(name), t.tag);
        else await fetch(`${backing.url}/v2/${stored(name)}/manifests/${t?.digest ?? id.imageDigest}`, { method: "DELETE" });
        imageIds.push(t ? { imageDigest: t.digest, imageTag: t.tag } : { imageDigest: id.imageDigest });
      }
      return { imageIds, failures };
    },
  };

  const api = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const target = String(req.headers["x-amz-target"] ?? "");
    const op = target.startsWith(`${ECR_PUBLIC_TARGET_PREFIX}.`) ? target.slice(ECR_PUBLIC_TARGET_PREFIX.length + 1) : "";
    const send = (status: number, payload: unknown) => {
      calls.push({ op, status });
      res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": crypto.randomUUID() });
      res.end(JSON.stringify(payload));
    };
    try {
      if (req.method !== "POST" || !ops[op]) throw new AwsError("UnknownOperationException", `Unknown operation ${target}`);
      const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(String(req.headers.authorization ?? ""));
      if (!m) throw new AwsError("MissingAuthenticationTokenException", "Missing Authentication Token");
      const key = keys.get(m[1]);
      if (!key) throw new AwsError("UnrecognizedClientException", "The security token included in the request is invalid.");
      if (m[3] !== region) throw new AwsError("InvalidSignatureException", `Credential should be scoped to a valid region, not '${m[3]}'. `);
      if (m[4] !== "ecr-public") throw new AwsError("InvalidSignatureException", "Credential should be scoped to correct service: 'ecr-public'. ");
      const expected = sigV4(req, body, key.secretAccessKey, { date: m[2], region: m[3], service: m[4] }, m[5].split(";"));
      if (expected !== m[6]) throw new AwsError("InvalidSignatureException", "The request signature we calculated does not match the signature you provided.");
      const input = body.length ? JSON.parse(body.toString("utf8")) : {};
      if (key.allow && !key.allow.includes(`ecr-public:${op}`)) throw new AwsError("AccessDeniedException", `User: arn:aws:iam::${accountId}:user/${key.user} is not authorized to perform: ecr-public:${op}`);
      send(200, await ops[op](input));
    } catch (e) {
      if (e instanceof AwsError) send(e.status, { __type: e.type, message: e.message });
      else send(500, { __type: "ServerException", message: String(e) });
    }
  });

  // /v2: Bearer challenge → /token with Basic AWS:<password> → bearer → the backing registry under the alias
  const front = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/token") {
      const m = /^Basic\s+(\S+)$/i.exec(String(req.headers.authorization ?? ""));
      if (!m) return json(200, { token: "anonymous" }); // public.ecr.aws pulls need no sign-in
      const decoded = Buffer.from(m[1], "base64").toString("utf8");
      const i = decoded.indexOf(":");
      const exp = passwords.get(decoded.slice(i + 1));
      if (decoded.slice(0, i) !== "AWS" || !exp || exp < Date.now()) return json(401, { errors: [{ code: "DENIED", message: "Your authorization token is invalid." }] });
      const token = crypto.randomBytes(24).toString("base64url");
      bearers.add(token);
      return json(200, { token, access_token: token, expires_in: 900 });
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ""))?.[1];
    const challenge = { "www-authenticate": `Bearer realm="${frontUrl}/token",service="public.ecr.aws",scope="aws"`, "docker-distribution-api-version": "registry/2.0" };
    const write = req.method !== "GET" && req.method !== "HEAD";
    if (!bearer || (bearer === "anonymous" ? write : !bearers.has(bearer))) return json(401, { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }, challenge);
    const repo = /^\/v2\/(.+?)\/(manifests|blobs|tags)\//.exec(url.pathname)?.[1];
    if (repo && !(repo.startsWith(`${alias}/`) && repositories.has(repo.slice(alias.length + 1)))) {
      return json(404, { errors: [{ code: "NAME_UNKNOWN", message: `The repository with name '${repo}' does not exist in the registry with id '${accountId}'` }] });
    }
    proxyToBacking(backing.port, req, res);
  });

  const apiPort = await listen(api);
  const frontPort = await listen(front);
  frontUrl = `http://127.0.0.1:${frontPort}`;
  return {
    accountId, alias, calls, backing,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    url: frontUrl,
    host: `127.0.0.1:${frontPort}`,
    createRepository(name) { repositories.set(name, Date.now()); },
    asRegistry() {
      // skopeo signs in at the realm with AWS:<password>, as `docker login public.ecr.aws` does
      const password = issuePassword();
      return { ...backing, url: frontUrl, host: `127.0.0.1:${frontPort}`, port: frontPort, mode: "htpasswd", username: "AWS", password, users: { AWS: password } };
    },
    async stop() {
      for (const s of [api, front]) { s.closeAllConnections(); await new Promise<void>((r) => s.close(() => r())); }
      await backing.stop();
    },
  };
}

// A loopback Amazon ECR: the control API (AWS JSON 1.1, POST / with
// X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Op>, SigV4-signed, errors as
// {"__type","message"}) and a /v2 front that accepts only Basic AWS:<current token>, in front of a
// real open registry:2 (storage read directly for DescribeImages, as ECR answers from its store).
// The clock is the stand-in's own (`advance`), so tests can let a 12-hour token expire.
import crypto from "node:crypto";
import http from "node:http";
import { proxyToBacking } from "./stand-in";
import type { AddressInfo } from "node:net";
import { startRegistry, type RunningRegistry } from "../registry";
import { imageSize, removeStoredTag, storedManifest, storedRepositories, storedTags } from "./storage";

export const ECR_TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921";
const TOKEN_LIFETIME_MS = 12 * 3600_000;

export interface EcrKey {
  secretAccessKey: string;
  /** IAM user name, shown in AccessDenied messages */
  user: string;
  /** ecr:<Op> actions allowed; default every action */
  allow?: string[];
}

export interface EcrStandIn {
  region: string;
  accountId: string;
  /** the control API endpoint (give it to ECRClient as `endpoint`) */
  apiUrl: string;
  /** the /v2 front (the registry endpoint, https://<account>.dkr.ecr.<region>.amazonaws.com at AWS) */
  url: string;
  host: string;
  backing: RunningRegistry;
  keys: Map<string, EcrKey>;
  /** operations answered, in order (failures included) */
  readonly calls: { op: string; accessKeyId: string | null; status: number }[];
  now(): number;
  advance(ms: number): void;
  createRepository(name: string, opts?: { immutable?: boolean }): void;
  /** A RunningRegistry view of the front with a fresh token as Basic AWS:<password>, for skopeo. */
  asRegistry(): RunningRegistry;
  /** Issues a token as GetAuthorizationToken would (for test-side clients such as skopeo). */
  issueToken(): { password: string; expiresAt: number };
  stop(): Promise<void>;
}

export class AwsError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) { super(message); }
}

const hmac = (key: crypto.BinaryLike, data: string) => crypto.createHmac("sha256", key).update(data, "utf8").digest();
const sha256hex = (data: crypto.BinaryLike) => crypto.createHash("sha256").update(data).digest("hex");

/** Recomputes a SigV4 signature (docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html). */
export function sigV4(req: http.IncomingMessage, body: Buffer, secret: string, scope: { date: string; region: string; service: string }, signedHeaders: string[]): string {
  const url = new URL(req.url ?? "/", "http://x");
  const query = [...url.searchParams].map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)]).sort().map(([k, v]) => `${k}=${v}`).join("&");
  const headers = signedHeaders.map((h) => {
    const v = req.headers[h];
    return `${h}:${(Array.isArray(v) ? v.join(",") : v ?? "").trim().replace(/\s+/g, " ")}\n`;
  }).join("");
  const canonical = [req.method, url.pathname, query, headers, signedHeaders.join(";"), sha256hex(body)].join("\n");
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  const credentialScope = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, credentialScope, sha256hex(canonical)].join("\n");
  let key = hmac(`AWS4${secret}`, scope.date);
  key = hmac(key, scope.region);
  key = hmac(key, scope.service);
  key = hmac(key, "aws4_request");
  return hmac(key, toSign).toString("hex");
}

export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export const listen = async (server: http.Server) => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
};

export async function startEcr(opts: { region?: string; keys?: Record<string, EcrKey> } = {}): Promise<EcrStandIn> {
  const region = opts.region ?? "eu-west-1";
  const accountId = "123456789012";
  const backing = await startRegistry({ mode: "open", name: "ecr-backing" });
  const keys = new Map(Object.entries(opts.keys ?? { AKIAREGATTATEST0001: { secretAccessKey: "ecr-test-secret-0001", user: "ci" } }));
  const repositories = new Map<string, { createdAt: number; immutable: boolean }>();
  const tokens = new Map<string, number>(); // password → expiresAt (stand-in clock)
  const calls: EcrStandIn["calls"] = [];
  let offset = 0;
  const now = () => Date.now() + offset;
  let frontUrl = "";

  const issueToken = () => {
    const password = crypto.randomBytes(24).toString("base64url");
    const expiresAt = now() + TOKEN_LIFETIME_MS;
    tokens.set(password, expiresAt);
    return { password, expiresAt };
  };

  const repoArn = (name: string) => `arn:aws:ecr:${region}:${accountId}:repository/${name}`;
  const needRepo = (name: unknown) => {
    if (typeof name !== "string" || !repositories.has(name)) {
      throw new AwsError("RepositoryNotFoundException", `The repository with name '${String(name)}' does not exist in the registry with id '${accountId}'`);
    }
    return repositories.get(name)!;
  };
  const page = <T>(items: T[], input: { nextToken?: string; maxResults?: number }, max: number) => {
    const size = input.maxResults ?? 100;
    if (size < 1 || size > max) throw new AwsError("InvalidParameterException", `Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to ${max}'`);
    const start = input.nextToken ? Number(Buffer.from(input.nextToken, "base64").toString("utf8").replace(/^o:/, "")) : 0;
    if (!Number.isInteger(start) || start < 0) throw new AwsError("InvalidParameterException", "Invalid parameter at 'nextToken'");
    const slice = items.slice(start, start + size);
    const next = start + size < items.length ? Buffer.from(`o:${start + size}`).toString("base64") : undefined;
    return { slice, next };
  };

  const imageDetails = (repo: string) => {
    const byDigest = new Map<string, string[]>();
    for (const t of storedTags(backing.dataDir, repo)) byDigest.set(t.digest, [...(byDigest.get(t.digest) ?? []), t.tag]);
    return [...byDigest].flatMap(([digest, tags]) => {
      const m = storedManifest(backing.dataDir, repo, digest);
      if (!m) return [];
      return [{
        registryId: accountId, repositoryName: repo, imageDigest: digest, imageTags: tags,
        imageSizeInBytes: imageSize(backing.dataDir, repo, m),
        imagePushedAt: m.uploadedAt.getTime() / 1000,
        imageManifestMediaType: m.mediaType,
      }];
    });
  };

  const ops: Record<string, (input: any) => Promise<unknown> | unknown> = {
    GetAuthorizationToken: () => {
      const t = issueToken();
      return { authorizationData: [{ authorizationToken: Buffer.from(`AWS:${t.password}`).toString("base64"), expiresAt: t.expiresAt / 1000, proxyEndpoint: frontUrl }] };
    },
    DescribeRepositories: (input) => {
      let names = [...repositories.keys()].sort();
      if (input.repositoryNames) {
        for (const n of input.repositoryNames) needRepo(n);
        names = input.repositoryNames;
      }
      const { slice, next } = page(names, input, 1000);
      return {
        repositories: slice.map((n: string) => ({
          repositoryArn: repoArn(n), registryId: accountId, repositoryName: n,
          repositoryUri: `${new URL(frontUrl).host}/${n}`, createdAt: repositories.get(n)!.createdAt / 1000,
          imageTagMutability: repositories.get(n)!.immutable ? "IMMUTABLE" : "MUTABLE",
        })),
        ...(next ? { nextToken: next } : {}),
      };
    },
    DescribeImages: (input) => {
      needRepo(input.repositoryName);
      let images = imageDetails(input.repositoryName);
      if (input.filter?.tagStatus === "UNTAGGED") images = [];
      const { slice, next } = page(images, input, 1000);
      return { imageDetails: slice, ...(next ? { nextToken: next } : {}) };
    },
    PutImage: async (input) => {
      const repo = needRepo(input.repositoryName);
      const bytes = Buffer.from(String(input.imageManifest ?? ""), "utf8");
      const digest = `sha256:${sha256hex(bytes)}`;
      if (input.imageDigest && input.imageDigest !== digest) throw new AwsError("ImageDigestDoesNotMatchException", `Invalid parameter at 'imageDigest': the digest of the manifest is ${digest}`);
      const tag: string | undefined = input.imageTag;
      const existing = tag ? storedTags(backing.dataDir, input.repositoryName).find((t) => t.tag === tag) : undefined;
      if (existing && repo.immutable) {
        throw new AwsError("ImageTagAlreadyExistsException", `The image tag '${tag}' already exists in the '${input.repositoryName}' repository and cannot be overwritten because the repository is immutable.`);
      }
      if (existing?.digest === digest) {
        throw new AwsError("ImageAlreadyExistsException", `Image with digest '${digest}' and tag '${tag}' already exists in the repository with name '${input.repositoryName}' in registry with id '${accountId}'`);
      }
      let mediaType: string = input.imageManifestMediaType;
      if (!mediaType) {
        try { mediaType = JSON.parse(bytes.toString("utf8")).mediaType; } catch { /* checked below */ }
      }
      if (!mediaType) throw new AwsError("InvalidParameterException", "Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Invalid JSON syntax'");
      const res = await fetch(`${backing.url}/v2/${input.repositoryName}/manifests/${tag ?? digest}`, { method: "PUT", headers: { "content-type": mediaType }, body: bytes });
      const text = await res.text();
      if (!res.ok) {
        if (text.includes("BLOB_UNKNOWN")) throw new AwsError("LayersNotFoundException", "The image you are attempting to push references layers that do not exist in the repository.");
        if (text.includes("MANIFEST_UNKNOWN")) throw new AwsError("ReferencedImagesNotFoundException", "Some images referenced by the manifest list were not found.");
        throw new AwsError("InvalidParameterException", `Invalid parameter at 'imageManifest': ${text}`);
      }
      return { image: { registryId: accountId, repositoryName: input.repositoryName, imageId: { imageDigest: digest, ...(tag ? { imageTag: tag } : {}) }, imageManifest: input.imageManifest, imageManifestMediaType: mediaType } };
    },
    BatchDeleteImage: async (input) => {
      needRepo(input.repositoryName);
      const name: string = input.repositoryName;
      // ECR keeps an image a manifest list of the repository names: failure ImageReferencedByManifestList
      // (ImageFailureCode in the ECR API reference / @aws-sdk/client-ecr models; failureReason as
      // BatchDeleteImage answers it in users' reports, "Requested image referenced by manifest list")
      const listedBy = (digest: string) =>
        imageDetails(name).map((d) => storedManifest(backing.dataDir, name, d.imageDigest)).find((m) => Array.isArray(m?.json?.manifests) && m!.json.manifests.some((c: { digest?: string }) => c.digest === digest));
      const referenced = (id: unknown) => ({ imageId: id, failureCode: "ImageReferencedByManifestList", failureReason: "Requested image referenced by manifest list" });
      const imageIds: { imageTag?: string; imageDigest?: string }[] = [];
      const failures: unknown[] = [];
      for (const id of input.imageIds ?? []) {
        const tags = storedTags(backing.dataDir, name);
        if (id.imageTag) {
          const t = tags.find((x) => x.tag === id.imageTag);
          if (!t) { failures.push({ imageId: id, failureCode: "ImageNotFound", failureReason: "Requested image not found" }); continue; }
          if (id.imageDigest && id.imageDigest !== t.digest) {
            failures.push({ imageId: id, failureCode: "ImageTagDoesNotMatchDigest", failureReason: "Invalid image digest and tag combination" });
            continue;
          }
          // ECR: deleting by tag removes the tag; the image goes with its last tag, unless an index holds it
          if (tags.filter((x) => x.digest === t.digest).length > 1) removeStoredTag(backing.dataDir, name, t.tag);
          else if (listedBy(t.digest)) { failures.push(referenced(id)); continue; }
          else await fetch(`${backing.url}/v2/${name}/manifests/${t.digest}`, { method: "DELETE" });
          imageIds.push({ imageDigest: t.digest, imageTag: t.tag });
        } else if (id.imageDigest) {
          if (listedBy(id.imageDigest)) { failures.push(referenced(id)); continue; }
          const res = await fetch(`${backing.url}/v2/${name}/manifests/${id.imageDigest}`, { method: "DELETE" });
          if (!res.ok) { failures.push({ imageId: id, failureCode: "ImageNotFound", failureReason: "Requested image not found" }); continue; }
          imageIds.push({ imageDigest: id.imageDigest });
        }
      }
      return { imageIds, failures };
    },
  };

  // ---- the control API ----
  const api = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const target = String(req.headers["x-amz-target"] ?? "");
    const op = target.startsWith(`${ECR_TARGET_PREFIX}.`) ? target.slice(ECR_TARGET_PREFIX.length + 1) : "";
    let accessKeyId: string | null = null;
    const send = (status: number, payload: unknown) => {
      calls.push({ op, accessKeyId, status });
      res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": crypto.randomUUID() });
      res.end(JSON.stringify(payload));
    };
    try {
      if (req.method !== "POST" || !ops[op]) throw new AwsError("UnknownOperationException", `Unknown operation ${target}`);
      const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(String(req.headers.authorization ?? ""));
      if (!m) throw new AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 400);
      accessKeyId = m[1];
      const key = keys.get(m[1]);
      if (!key) throw new AwsError("UnrecognizedClientException", "The security token included in the request is invalid.");
      if (m[3] !== region) throw new AwsError("InvalidSignatureException", `Credential should be scoped to a valid region, not '${m[3]}'. `);
      if (m[4] !== "ecr") throw new AwsError("InvalidSignatureException", `Credential should be scoped to correct service: 'ecr'. `);
      const expected = sigV4(req, body, key.secretAccessKey, { date: m[2], region: m[3], service: m[4] }, m[5].split(";"));
      if (!crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(m[6].padEnd(expected.length).slice(0, expected.length)))) {
        throw new AwsError("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
      }
      let input: any;
      try { input = body.length ? JSON.parse(body.toString("utf8")) : {}; } catch { throw new AwsError("SerializationException", "Start of structure or map found where not expected."); }
      const action = `ecr:${op}`;
      if (key.allow && !key.allow.includes(action)) {
        const resource = input.repositoryName ? repoArn(input.repositoryName) : "*";
        throw new AwsError("AccessDeniedException", `User: arn:aws:iam::${accountId}:user/${key.user} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`);
      }
      send(200, await ops[op](input));
    } catch (e) {
      if (e instanceof AwsError) send(e.status, { __type: e.type, message: e.message });
      else send(500, { __type: "ServerException", message: String(e) });
    }
  });

  // ---- the /v2 front: Basic AWS:<token>, then the open registry behind it ----
  const front = http.createServer(async (req, res) => {
    const deny = (message: string) => {
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": `Basic realm="${frontUrl}/",service="ecr.amazonaws.com"`, "docker-distribution-api-version": "registry/2.0" });
      res.end(JSON.stringify({ errors: [{ code: "DENIED", message }] }));
    };
    const m = /^Basic\s+(\S+)$/i.exec(String(req.headers.authorization ?? ""));
    if (!m) return deny("Not Authorized");
    const decoded = Buffer.from(m[1], "base64").toString("utf8");
    const [user, password] = [decoded.slice(0, decoded.indexOf(":")), decoded.slice(decoded.indexOf(":") + 1)];
    const expiresAt = tokens.get(password);
    if (user !== "AWS" || expiresAt === undefined) return deny("Not Authorized");
    if (now() >= expiresAt) return deny("Your authorization token has expired. Reauthenticate and try again.");
    const repoMatch = /^\/v2\/(.+?)\/(manifests|blobs|tags)\//.exec(new URL(req.url ?? "/", "http://x").pathname);
    if (repoMatch && !repositories.has(repoMatch[1])) {
      res.writeHead(404, { "content-type": "application/json" });
      return res.end(JSON.stringify({ errors: [{ code: "NAME_UNKNOWN", message: `The repository with name '${repoMatch[1]}' does not exist in the registry with id '${accountId}'` }] }));
    }
    const isTagPut = req.method === "PUT" && /\/manifests\/(?!sha256:)/.test(req.url ?? "");
    if (repoMatch && isTagPut && repositories.get(repoMatch[1])!.immutable) {
      const tag = decodeURIComponent((req.url ?? "").split("/manifests/")[1]!);
      if (storedTags(backing.dataDir, repoMatch[1]).some((t) => t.tag === tag)) {
        res.writeHead(400, { "content-type": "application/json" });
        return res.end(JSON.stringify({ errors: [{ code: "TAG_INVALID", message: `The image tag '${tag}' already exists in the '${repoMatch[1]}' repository and cannot be overwritten because the tag is immutable.` }] }));
      }
    }
    proxyToBacking(backing.port, req, res);
  });

  const apiPort = await listen(api);
  const frontPort = await listen(front);
  frontUrl = `http://127.0.0.1:${frontPort}`;

  const standIn: EcrStandIn = {
    region, accountId, keys, calls, backing,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    url: frontUrl,
    host: `127.0.0.1:${frontPort}`,
    now,
    advance(ms) { offset += ms; },
    createRepository(name, o = {}) { repositories.set(name, { createdAt: now(), immutable: !!o.immutable }); },
    issueToken,
    asRegistry() {
      const t = issueToken();
      return { ...backing, url: frontUrl, host: `127.0.0.1:${frontPort}`, port: frontPort, mode: "htpasswd", username: "AWS", password: t.password, users: { AWS: t.password } };
    },
    async stop() {
      for (const s of [api, front]) { s.closeAllConnections(); await new Promise<void>((r) => s.close(() => r())); }
      await backing.stop();
    },
  };
  return standIn;
}

import "server-only";
// What ECR and ECR Public share: the SDK's errors as RegistryError, GetAuthorizationToken's
// "AWS:<password>" token kept until shortly before it expires, nextToken paging of
// DescribeRepositories and DescribeImages, tag rows from ImageDetail, and BatchDeleteImage's
// failures (Amazon ECR and ECR Public API references: the same shapes in both services).
import { allPages, pages, RegistryError, type RegistryLogin } from "@/lib/registry";
import type { TagMetadata } from "./types";

/** ECR tokens last 12 h; ask for a new one this long before (REGISTRIES.md §3.5: ~30 min). */
export const ECR_REFRESH_EARLY_MS = 30 * 60_000;

interface AwsLikeError { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }

export const awsName = (e: unknown) => (e as AwsLikeError)?.name ?? "";

/** An SDK error as the one error type of lib/registry, so the API answers 502 with AWS's words. */
export function asRegistryError(e: unknown, context: string, url: string): RegistryError {
  if (e instanceof RegistryError) return e;
  const err = e as AwsLikeError;
  const status = err.$metadata?.httpStatusCode;
  const network = !status && !/Exception$/.test(err.name ?? "");
  return new RegistryError({ context, codes: [network ? "NETWORK" : err.name ?? "AWS_ERROR"], method: "POST", url, status, registryMessage: err.message, cause: e });
}

/** Runs one SDK call; its error comes back as a RegistryError naming `what`. */
export function awsCaller(apiUrl: string) {
  return async <T>(what: string, send: () => Promise<T>): Promise<T> => {
    try {
      return await send();
    } catch (e) {
      throw asRegistryError(e, what, apiUrl);
    }
  };
}

export interface AwsToken {
  credentials: RegistryLogin;
  expiresAt: number;
}

/** GetAuthorizationToken's base64 "user:password" as the /v2 login; MALFORMED when it is not one. */
export function loginFromAuthorizationToken(token: string | undefined, what: string, apiUrl: string): RegistryLogin {
  const decoded = Buffer.from(token ?? "", "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (!token || colon < 0) throw new RegistryError({ context: what, codes: ["MALFORMED"], method: "POST", url: apiUrl, reason: "the answer carries no usable authorizationData" });
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** One token at a time: reused until ECR_REFRESH_EARLY_MS before it expires, one request for many callers. */
export class AwsTokenCache<T extends AwsToken> {
  private token?: T;
  private pending?: Promise<T>;
  /** GetAuthorizationToken calls made (tests read it) */
  fetches = 0;

  constructor(private readonly fetchToken: () => Promise<T>, private readonly now: () => number) {}

  /** The current token, or a new one when none is held or it is within 30 min of expiry. */
  async current(): Promise<T> {
    if (this.token && this.now() < this.token.expiresAt - ECR_REFRESH_EARLY_MS) return this.token;
    this.pending ??= (async () => {
      this.fetches++;
      this.token = await this.fetchToken();
      return this.token;
    })().finally(() => (this.pending = undefined));
    return this.pending;
  }
}

interface NextTokenPage { nextToken?: string }

/**
 * One page of repositories for the browser: DescribeRepositories has no name filter, so it pages on
 * until this page is full or AWS has no more; the cursor is AWS's nextToken.
 */
export async function repositoryPage<R extends { repositoryName?: string }>(opts: {
  what: string;
  cursor?: string;
  pageSize: number;
  describe: (maxResults: number, nextToken: string | undefined) => Promise<NextTokenPage & { repositories?: R[] }>;
  /** the name to list, or null to leave the repository out */
  name: (repositoryName: string) => string | null;
}): Promise<{ repositories: { name: string }[]; nextCursor?: string }> {
  const repositories: { name: string }[] = [];
  let nextToken = opts.cursor;
  const fetch = async (token: string) => {
    const page = await opts.describe(Math.min(Math.max(opts.pageSize, 1), 1000), token || undefined);
    nextToken = page.nextToken || undefined;
    return { items: page.repositories ?? [], next: nextToken };
  };
  for await (const page of pages({ what: opts.what, first: opts.cursor ?? "", fetch })) {
    for (const r of page) {
      const name = r.repositoryName ? opts.name(r.repositoryName) : null;
      if (name) repositories.push({ name });
    }
    if (!nextToken || repositories.length >= opts.pageSize) break;
  }
  return { repositories, ...(nextToken ? { nextCursor: nextToken } : {}) };
}

/** Every page of DescribeImages (the first page has no nextToken: "" stands for it). */
export function allImages<D>(what: string, describe: (nextToken: string | undefined) => Promise<NextTokenPage & { imageDetails?: D[] }>): Promise<D[]> {
  const fetch = async (token: string) => {
    const page = await describe(token || undefined);
    return { items: page.imageDetails ?? [], next: page.nextToken || undefined };
  };
  return allPages({ what, first: "", fetch });
}

/** A tag row per tag of each image; AWS does not report who pushed (CloudTrail does): pushedBy stays absent. */
export function tagRows(details: { imageTags?: string[]; imageDigest?: string; imagePushedAt?: Date; imageSizeInBytes?: number }[]): TagMetadata[] {
  return details.flatMap((d) => (d.imageTags ?? []).map((tag): TagMetadata => ({ tag, digest: d.imageDigest, pushedAt: d.imagePushedAt?.toISOString(), size: d.imageSizeInBytes })));
}

/** BatchDeleteImage answers 200 with `failures`: the first one as a RegistryError (404, 409 when the tag moved, else 400). */
export function batchDeleteFailure(failure: { failureCode?: string; failureReason?: string }, what: string, apiUrl: string): RegistryError {
  return new RegistryError({
    context: what,
    codes: [failure.failureCode ?? "DELETE_FAILED"],
    method: "POST",
    url: apiUrl,
    status: failure.failureCode === "ImageNotFound" ? 404 : failure.failureCode === "ImageTagDoesNotMatchDigest" ? 409 : 400,
    registryMessage: failure.failureReason,
  });
}

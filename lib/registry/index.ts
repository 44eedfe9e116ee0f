// Public API of lib/registry: the OCI Distribution client.
export {
  allowsPlainHttp,
  credentialIdentity,
  fetchToken,
  isLoopbackHost,
  parseChallenges,
  pickChallenge,
  TokenCache,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  type Challenge,
  type RegistryLogin,
  type CredentialsSource,
  type TokenCacheOptions,
} from "./auth";
export { RegistryClient, parseEndpoint, type RegistryClientOptions } from "./client";
export {
  copyImage,
  copyScopes,
  retag,
  DEFAULT_COPY_CONCURRENCY,
  type CopyOptions,
  type CopyPlan,
  type CopyProgress,
  type CopyResult,
  type CopySource,
  type CopyTarget,
  type PlannedBlob,
} from "./copy";
export { computeDigest, Digester, type DigestAlgorithm } from "./digest";
export {
  checkResponse,
  errorFromResponse,
  isRegistryError,
  parseErrorBody,
  parseRetryAfter,
  RegistryError,
  sanitizeUrl,
  OCI_ERROR_CODES,
  type ClientErrorCode,
  type ErrorCode,
  type OciErrorCode,
  type RegistryErrorEntry,
  type RequestContext,
} from "./errors";
export { nextLink } from "./link";
export { allPages, pages, DEFAULT_BUDGET, type BudgetLimits, type Page, type PagesOptions } from "./pages";
export { AddressPolicy, classifyAddress, classifyHost, systemResolver, type AddressClass, type Resolver } from "./address";
export { validateManifestReference } from "./manifests";
export * from "./media-types";
export {
  DOCKER_HUB_REGISTRY,
  InvalidReferenceError,
  isDigest,
  repositoryScope,
  validateDigest,
  validateRepository,
  validateTag,
  type ReferenceField,
} from "./reference";
export { referrersTag } from "./referrers";
export { COSIGN_SIGNATURE_ARTIFACT, COSIGN_SIMPLESIGNING, cosignSignatureTag, type SignatureLayer, type SupplyChain } from "./signatures";
export { CATALOG_SCOPE, DELETE, mergeScopes, PULL, PUSH_PULL } from "./scope";
export { DEFAULT_OPTIONS, DEFAULT_USER_AGENT, Transport, type TransportOptions } from "./transport";
export type {
  BlobStream,
  CatalogPage,
  Descriptor,
  Manifest,
  ManifestHead,
  MountResult,
  PageCursor,
  PingResult,
  Platform,
  PutManifestResult,
  TagsPage,
} from "./types";
export { FairSemaphore, Semaphore } from "./semaphore";
export { mapLimit } from "@/lib/concurrency";
export { currentRegistryLane, hostLimiter, withRegistryLane } from "./lanes";
export * from "./observe";

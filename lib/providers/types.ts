// What a provider is: one per registry kind. It turns a stored connection into a /v2 client
// (with the kind's auth: token flow, Basic with an exchanged token, refreshed keys) and adds what
// the plain /v2 API lacks, through the vendor's REST API or SDK. Every optional part falls back to
// the generic /v2 behaviour in lib/services when a provider leaves it out.
import type { RegistryClient } from "@/lib/registry";
import type { RegistryKind } from "@/lib/schemas/registry";
import type { CredentialFields } from "@/lib/secrets/credentials";

export interface Connection {
  /** the registry row's id (absent for a connection being tried before it is saved) */
  id?: string;
  kind: RegistryKind;
  /** the /v2 endpoint, e.g. https://registry-1.docker.io */
  endpoint: string;
  /** the vendor REST API base when it is not the kind's default (self-managed GitLab, tests) */
  apiEndpoint: string | null;
  /** user / organisation / project / prefix the registry is scoped to, per kind */
  namespace: string | null;
  insecure: boolean;
  credentials: CredentialFields | null;
  /** requests in flight at once to its host; null or absent: the process's setting */
  concurrency?: number | null;
}

export interface ConnectionTest {
  reachable: boolean;
  authenticated: boolean;
  /** repositories can be listed (catalog or vendor API) */
  catalog: boolean;
  /** null when it could not be told without more rights */
  delete: boolean | null;
  /** one sentence per finding, in the registry's (or vendor's) words where it gave some */
  message: string;
  /** what is missing, e.g. ["delete:packages scope"]; empty when nothing is */
  missing?: string[];
}

export interface RepositoryListing {
  repositories: { name: string; tagCount?: number }[];
  /** opaque: passed back as `cursor` for the next page */
  nextCursor?: string;
}

/** What a vendor API knows of one tag that /v2 does not say. */
export interface TagMetadata {
  tag: string;
  digest?: string;
  pushedAt?: string;
  /** when the image was built, as the vendor reports it (GitLab's created_at comes from the image
   *  config): never a push time, and 1970 for reproducible builds */
  createdAt?: string;
  /** a user name as the vendor reports it; absent when the vendor does not say (never invented) */
  pushedBy?: string;
  /** compressed size in bytes as the vendor reports it */
  size?: number;
}

/** A rate-limit budget as the registry reports it (Docker Hub's ratelimit-* headers). */
export interface RateLimitBudget {
  limit: number;
  remaining: number;
  /** the window the limit counts over, in seconds */
  windowSeconds?: number;
  /** when a 429 says so: the moment to retry */
  retryAt?: string;
  /** e.g. "per IP address", "per user alice" */
  scope?: string;
}

export interface DeleteMethod {
  /** "tag": only this tag goes; "digest": the manifest goes, with every tag on it */
  scope: "tag" | "digest";
  /** shown before the delete: what the registry will do */
  explanation: string;
}

/** Who may pull a repository without credentials: "public" anyone, "private" only those granted, "unknown" the registry does not say. */
export type Visibility = "public" | "private" | "unknown";

/** A repository's visibility as the vendor reports it. */
export interface RepositoryVisibility {
  visibility: Visibility;
  /** false: the repository does not exist yet and a push creates it with `visibility` (the vendor's default); absent when not known */
  exists?: boolean;
  /** what it is based on, in the vendor's words, e.g. "Docker Hub: is_private false" */
  basis: string;
}

/** One open connection to one registry; kept per registry row and process (see lib/services/clients). */
export interface RegistryProvider {
  readonly client: RegistryClient;
  testConnection(): Promise<ConnectionTest>;
  /** Repositories from the vendor API; without it the services page through /v2/_catalog. */
  listRepositories?(opts: { cursor?: string; pageSize: number; query?: string }): Promise<RepositoryListing>;
  /** Pushed at / by and sizes for the tags of one repository; without it only /v2 data shows. */
  tagMetadata?(repository: string, onlyTags?: string[]): Promise<TagMetadata[]>;
  /** The vendor answers one tag per call (GitLab): tagMetadata is asked for the tags on screen only. */
  readonly tagMetadataPerTag?: boolean;
  /** How deleting a tag works here; without it: by digest through /v2 (every tag on it goes). */
  deleteMethod?: DeleteMethod;
  /** Deletes one tag the vendor's way; `digest` is what it pointed at when the user confirmed. */
  deleteTag?(repository: string, tag: string, digest: string): Promise<void>;
  /** The pull budget left, where the registry reports one (null when it does not). */
  rateLimit?(): Promise<RateLimitBudget | null>;
  /** When the stored credential stops working, where known (e.g. a token with an expiry). */
  credentialExpiry?(): Promise<string | null>;
  /** Whether the vendor refuses to move an existing tag of this repository (e.g. ECR's IMMUTABLE); the promote plan says so before the run. */
  tagsImmutable?(repository: string): Promise<boolean>;
  /** Who may pull this repository, as the vendor reports it (a new repository: the vendor's default); without it "unknown". */
  visibility?(repository: string): Promise<RepositoryVisibility>;
}

export interface ProviderDefinition {
  kind: RegistryKind;
  /** the REST API base used when the registry row has none */
  defaultApiEndpoint?: (c: Connection) => string | undefined;
  open(c: Connection): RegistryProvider;
  /** The /v2 endpoint of a connection saved without one (ECR: GetAuthorizationToken's proxyEndpoint). */
  discoverEndpoint?(c: Omit<Connection, "endpoint">): Promise<string>;
}

// Image reference grammar (distribution/reference, OCI distribution-spec "Pulling manifests").
// Imports nothing else from the project: every other module receives parsed, validated values.

export type ReferenceField = "registry" | "repository" | "tag" | "digest";

export class InvalidReferenceError extends Error {
  override readonly name = "InvalidReferenceError";
  constructor(
    readonly field: ReferenceField,
    message: string,
  ) {
    super(message);
  }
}

/** Docker Hub's registry host; `docker.io` and `index.docker.io` are aliases of it. */
export const DOCKER_HUB_REGISTRY = "registry-1.docker.io";
export const DOCKER_HUB_ALIASES: readonly string[] = ["docker.io", "index.docker.io", DOCKER_HUB_REGISTRY];
/** Namespace of Docker Hub's official images: `nginx` means `library/nginx`. */
export const DOCKER_HUB_OFFICIAL_NAMESPACE = "library";
export const DEFAULT_TAG = "latest";
/** distribution's NameTotalLengthMax; most clients refuse longer names. */
export const MAX_REPOSITORY_LENGTH = 255;

const TAG_PATTERN = "[\\w][\\w.-]{0,127}";
const TAG_RE = new RegExp(`^${TAG_PATTERN}$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const REGISTRY_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?$`);
const ALGORITHM_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*$/;
const ENCODED_RE = /^[a-zA-Z0-9=_-]+$/;
/** The algorithms this client can verify, with their hex length. */
export const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };

export function validateTag(tag: string): string {
  if (!TAG_RE.test(tag)) throw new InvalidReferenceError("tag", `tag ${JSON.stringify(tag)} is invalid: must match ${TAG_PATTERN}`);
  return tag;
}

export function validateRepository(name: string): string {
  const bad = (why: string): never => {
    throw new InvalidReferenceError("repository", `repository ${JSON.stringify(name)} is invalid: ${why}`);
  };
  if (name.length === 0) bad("must not be empty");
  if (name.length > MAX_REPOSITORY_LENGTH) bad(`must be at most ${MAX_REPOSITORY_LENGTH} characters`);
  if (/[A-Z]/.test(name)) bad("must be lowercase");
  for (const component of name.split("/")) {
    if (component === "") bad('must not start or end with "/" or contain "//"');
    if (!PATH_COMPONENT_RE.test(component)) {
      bad(`path component ${JSON.stringify(component)} must be [a-z0-9] runs separated by ".", "_", "__" or "-"`);
    }
  }
  return name;
}

export function validateDigest(digest: string): string {
  const bad = (why: string): never => {
    throw new InvalidReferenceError("digest", `digest ${JSON.stringify(digest)} is invalid: ${why}`);
  };
  const colon = digest.indexOf(":");
  if (colon < 0) bad("must be <algorithm>:<hex>, e.g. sha256:<64 hex characters>");
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  if (!ALGORITHM_RE.test(algorithm)) bad(`algorithm ${JSON.stringify(algorithm)} must match [a-z0-9]+([+._-][a-z0-9]+)*`);
  if (!ENCODED_RE.test(encoded)) bad("encoded part must match [a-zA-Z0-9=_-]+");
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) bad(`unsupported algorithm ${JSON.stringify(algorithm)}: expected sha256 or sha512`);
  if (encoded.length !== length || !/^[0-9a-f]+$/.test(encoded)) bad(`${algorithm} needs ${length} lowercase hex characters`);
  return digest;
}

export function isDigest(s: string): boolean {
  try {
    validateDigest(s);
    return true;
  } catch {
    return false;
  }
}

export function validateRegistry(host: string): string {
  if (!REGISTRY_RE.test(host)) {
    throw new InvalidReferenceError("registry", `registry ${JSON.stringify(host)} is invalid: must be a host name or IP address with an optional :port`);
  }
  return host;
}

export function isDockerHub(registry: string): boolean {
  return DOCKER_HUB_ALIASES.includes(registry.toLowerCase());
}

export class Reference {
  constructor(
    readonly registry: string,
    readonly repository: string,
    readonly tag?: string,
    readonly digest?: string,
  ) {}

  /** What goes after /manifests/ in a URL: the digest when present (it pins the content), else the tag. */
  get identifier(): string {
    return this.digest ?? this.tag ?? DEFAULT_TAG;
  }

  /** A token scope for this repository, e.g. scope(["pull"]) → "repository:acme/api:pull". */
  scope(actions: string[]): string {
    return repositoryScope(this.repository, actions);
  }

  toString(): string {
    return `${this.registry}/${this.repository}${this.tag ? `:${this.tag}` : ""}${this.digest ? `@${this.digest}` : ""}`;
  }
}

export function repositoryScope(repository: string, actions: string[]): string {
  return `repository:${repository}:${actions.join(",")}`;
}

export interface ParseReferenceOptions {
  /** Registry used when the string names none; Docker Hub when omitted (like docker pull). */
  defaultRegistry?: string;
}

/**
 * Parses `[registry/]repository[:tag][@digest]`. Without a registry the name is Docker Hub's
 * (official single-segment names get `library/`); without tag and digest the tag is `latest`.
 */
export function parseReference(s: string, options: ParseReferenceOptions = {}): Reference {
  if (s.length === 0) throw new InvalidReferenceError("repository", "reference is empty");
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = validateDigest(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = validateTag(rest.slice(colon + 1));
    rest = rest.slice(0, colon);
  }
  let registry: string;
  let repository: string;
  const slash = rest.indexOf("/");
  const first = slash < 0 ? "" : rest.slice(0, slash);
  // distribution's splitDockerDomain: the first component is a host only if it looks like one.
  if (slash >= 0 && (/[.:]/.test(first) || first === "localhost" || first !== first.toLowerCase())) {
    registry = validateRegistry(first);
    repository = rest.slice(slash + 1);
  } else {
    registry = options.defaultRegistry ? validateRegistry(options.defaultRegistry) : DOCKER_HUB_REGISTRY;
    repository = rest;
  }
  if (isDockerHub(registry)) {
    registry = DOCKER_HUB_REGISTRY;
    if (repository !== "" && !repository.includes("/")) repository = `${DOCKER_HUB_OFFICIAL_NAMESPACE}/${repository}`;
  }
  validateRepository(repository);
  if (!tag && !digest) tag = DEFAULT_TAG;
  return new Reference(registry, repository, tag, digest);
}

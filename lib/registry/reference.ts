// Image name grammar (distribution/reference, OCI distribution-spec "Pulling manifests"): the /v2
// client checks each repository, tag and digest before it builds a URL. Routes check the same names
// at the edge with lib/schemas/names.ts; a full "host/name:tag@digest" string is never parsed.

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
/** distribution's NameTotalLengthMax; most clients refuse longer names. */
export const MAX_REPOSITORY_LENGTH = 255;

const TAG_PATTERN = "[\\w][\\w.-]{0,127}";
const TAG_RE = new RegExp(`^${TAG_PATTERN}$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
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

export function repositoryScope(repository: string, actions: string[]): string {
  return `repository:${repository}:${actions.join(",")}`;
}

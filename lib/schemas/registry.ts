// One schema for registry connections: used by the API routes, the settings form and the client.
import { z } from "zod";

export const REGISTRY_KINDS = ["GENERIC", "DOCKERHUB", "GHCR", "GITLAB", "GOOGLE", "ECR", "ECR_PUBLIC", "QUAY", "HARBOR"] as const;
export type RegistryKind = (typeof REGISTRY_KINDS)[number];

export interface CredentialField {
  name: string;
  label: string;
  secret: boolean;
  required: boolean;
  multiline?: boolean;
  help?: string;
}

export interface KindInfo {
  label: string;
  defaultEndpoint?: string;
  /** the endpoint may be left empty: the provider finds it (placeholder text saying how) */
  discoveredEndpoint?: string;
  /** the vendor REST API the provider uses, when the kind has one; editable for self-managed installs */
  apiEndpointLabel?: string;
  defaultApiEndpoint?: string;
  namespaceLabel?: string;
  help: string;
  fields: CredentialField[];
}

const userPass = (userHelp: string, passLabel: string, passHelp: string, required = false, userLabel = "Username"): CredentialField[] => [
  { name: "username", label: userLabel, secret: false, required, help: userHelp },
  { name: "password", label: passLabel, secret: true, required, help: passHelp },
];

/** ECR and ECR Public: an IAM access key, or nothing for the server's default AWS credentials. */
const awsKeys: CredentialField[] = [
  { name: "accessKeyId", label: "Access key id", secret: false, required: false, help: "AKIA…; empty: the server's default AWS credentials" },
  { name: "secretAccessKey", label: "Secret access key", secret: true, required: false },
];

export const KINDS: Record<RegistryKind, KindInfo> = {
  GENERIC: {
    label: "Self-hosted registry:2 / any OCI registry",
    help: "Any registry that speaks the OCI Distribution API. Leave the credentials empty for an open registry.",
    fields: userPass("Basic or token-auth user", "Password", "Sent only to this registry's host and its token realm"),
  },
  DOCKERHUB: {
    label: "Docker Hub",
    defaultEndpoint: "https://registry-1.docker.io",
    apiEndpointLabel: "Hub API",
    defaultApiEndpoint: "https://hub.docker.com",
    namespaceLabel: "Namespace (user or organisation; empty: your user)",
    help: "Create a personal access token at app.docker.com → Account settings → Personal access tokens. Access permissions: Read to browse, Read & Write to promote and retag into Docker Hub, Read, Write, Delete to also remove tags. Official images are the namespace library.",
    fields: userPass("Docker Hub user name (the Docker ID, not the email)", "Personal access token", "dckr_pat_…; Read, Write, Delete for everything Regatta does", true),
  },
  GHCR: {
    label: "GitHub Container Registry",
    defaultEndpoint: "https://ghcr.io",
    apiEndpointLabel: "GitHub API",
    defaultApiEndpoint: "https://api.github.com",
    namespaceLabel: "User or organisation owning the packages (empty: your user)",
    help: "Create a personal access token (classic) at github.com → Settings → Developer settings → Personal access tokens → Tokens (classic), with the scopes read:packages (browse), write:packages (promote and retag into GHCR) and delete:packages (delete). Fine-grained tokens do not work with GitHub Packages. For an organisation with SAML SSO, authorise the token for it.",
    fields: userPass("GitHub user name", "Personal access token (classic)", "ghp_…; scopes read:packages, write:packages, delete:packages", true),
  },
  GITLAB: {
    label: "GitLab Container Registry",
    defaultEndpoint: "https://registry.gitlab.com",
    apiEndpointLabel: "GitLab URL",
    defaultApiEndpoint: "https://gitlab.com",
    namespaceLabel: "Project or group path (e.g. acme/web or acme)",
    help: "Best: a personal, project or group access token with the scopes read_registry (browse), write_registry (promote and retag into GitLab) and api (list repositories, tag sizes, delete single tags; GitLab reports no push time, only when an image was built). A deploy token (read_registry, write_registry) works for the registry only: GitLab's REST API refuses it, so repositories cannot be listed and deletes go by digest. Self-managed: set the registry URL as Endpoint and your GitLab URL below.",
    fields: userPass("Token user name: your GitLab user name, or gitlab+deploy-token-N for a deploy token", "Access token or deploy token", "glpat-… (read_registry, write_registry, api) or gldt-… (read_registry, write_registry)", true),
  },
  GOOGLE: {
    label: "Google Artifact Registry / GCR",
    defaultEndpoint: "https://us-docker.pkg.dev",
    apiEndpointLabel: "Artifact Registry API",
    defaultApiEndpoint: "https://artifactregistry.googleapis.com",
    namespaceLabel: "Project / repository (e.g. my-project/my-repo; for gcr.io: the project)",
    help: "Endpoint: https://LOCATION-docker.pkg.dev (e.g. https://europe-west1-docker.pkg.dev), or https://gcr.io / eu.gcr.io / asia.gcr.io for gcr.io repositories hosted in Artifact Registry (Container Registry itself is shut down). Create a service account key (IAM → Service accounts → Keys → Add key → JSON) for an account with roles/artifactregistry.reader to browse, roles/artifactregistry.writer to promote and retag into it, and roles/artifactregistry.repoAdmin to delete tags.",
    fields: [
      { name: "serviceAccountJson", label: "Service account JSON key", secret: true, required: true, multiline: true, help: "Paste the whole JSON key file" },
      { name: "loginUser", label: "Registry login", secret: false, required: false, help: "oauth2accesstoken (default: hour-long access tokens from the key) or _json_key (sends the key itself to the registry)" },
      { name: "location", label: "Location", secret: false, required: false, help: "Taken from the endpoint host (us-docker.pkg.dev → us); set it only for another host" },
    ],
  },
  ECR: {
    label: "Amazon ECR",
    discoveredEndpoint: "empty: the registry of the key's account in this region (GetAuthorizationToken's proxyEndpoint)",
    apiEndpointLabel: "ECR API",
    namespaceLabel: "Repository prefix (optional, e.g. team)",
    help: "Endpoint: https://<account id>.dkr.ecr.<region>.amazonaws.com, or empty to take the key's own account registry in the region from GetAuthorizationToken. An IAM access key with ecr:GetAuthorizationToken, ecr:DescribeRepositories, ecr:DescribeImages and ecr:BatchGetImage (browse), ecr:PutImage, ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:BatchCheckLayerAvailability (promote and retag into ECR) and ecr:BatchDeleteImage (delete tags), e.g. the AmazonEC2ContainerRegistryPowerUser policy. Leave both key fields empty to use the server's default AWS credentials (environment, ~/.aws, instance or task role).",
    fields: [...awsKeys, { name: "region", label: "Region", secret: false, required: true, help: "The registry's region, e.g. eu-west-1" }],
  },
  ECR_PUBLIC: {
    label: "Amazon ECR Public",
    defaultEndpoint: "https://public.ecr.aws",
    apiEndpointLabel: "ECR Public API",
    defaultApiEndpoint: "https://api.ecr-public.us-east-1.amazonaws.com",
    namespaceLabel: "Registry alias (empty: the account's primary alias)",
    help: "public.ecr.aws/<alias>/<repository>. An IAM access key with ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken (sign in), ecr-public:DescribeRegistries and ecr-public:DescribeRepositories, ecr-public:DescribeImages (browse), ecr-public:InitiateLayerUpload, ecr-public:UploadLayerPart, ecr-public:CompleteLayerUpload, ecr-public:BatchCheckLayerAvailability and ecr-public:PutImage (promote into it) and ecr-public:BatchDeleteImage (delete tags), e.g. AmazonElasticContainerRegistryPublicPowerUser. ECR Public's API lives only in us-east-1. A repository must exist before a promotion into it (a push does not create one).",
    fields: awsKeys,
  },
  QUAY: {
    label: "Quay",
    defaultEndpoint: "https://quay.io",
    apiEndpointLabel: "Quay API",
    namespaceLabel: "Organisation or user (default: the robot's organisation)",
    help: "Two credentials, because Quay's REST API does not accept robot tokens. For /v2 (browse, retag, promote): a robot account (Organisation → Robot accounts) with Write permission on the repositories to promote into (Read is enough to browse). For the REST API (repository list, pushed-at and size, deleting one tag): an OAuth application token (Organisation → Applications → Generate token) with “View all visible repositories” and “Read/Write to any accessible repositories”. Without it, repositories come from the /v2 catalog, pushed-at does not show and a delete removes the manifest with every tag on it.",
    fields: [
      ...userPass("organisation+robotname, e.g. acme+ci", "Robot token", "The robot's token; needs Write on the repositories to promote into", true, "Robot account"),
      { name: "apiToken", label: "OAuth application token", secret: true, required: false, help: "Scopes: View all visible repositories; Read/Write to any accessible repositories" },
    ],
  },
  HARBOR: {
    label: "Harbor",
    apiEndpointLabel: "Harbor API",
    namespaceLabel: "Project (default: the robot's project)",
    help: "A project robot account (Project → Robot accounts → New robot account) with push, pull and delete on the project: Repository Pull, Push and List; Artifact Read and List; Tag List and Delete. A user with the Developer role (Maintainer to delete) works too. The API endpoint defaults to <endpoint>/api/v2.0; _catalog needs a system admin, so repositories are listed per project.",
    fields: userPass("e.g. robot$myproject+ci (the prefix is robot$ unless your Harbor changed it)", "Secret or password", "The robot's secret (shown once at creation) or the user's password / OIDC CLI secret", true, "Robot or user name"),
  },
};

/** A vendor's default URL from the table above; providers read theirs here, so each is written once. */
export function defaultUrl(kind: RegistryKind, which: "defaultEndpoint" | "defaultApiEndpoint"): string {
  const url = KINDS[kind][which];
  if (!url) throw new Error(`the ${kind} kind has no ${which}`);
  return url;
}

const name = z
  .string({ error: "name is required" })
  .trim()
  .min(1, "name is required")
  .max(64, "name must be at most 64 characters")
  .regex(/^[\w .@()-]+$/, "name may contain letters, digits, spaces and . _ - @ ( )");

export const endpointSchema = z
  .string({ error: "endpoint is required" })
  .trim()
  .min(1, "endpoint is required")
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === "https:" || u.protocol === "http:") && !!u.hostname && !u.username && !u.password && !u.search && !u.hash;
    } catch {
      return false;
    }
  }, "endpoint must be an http(s) URL such as https://registry.example.com, without credentials, query or fragment")
  .transform((s) => s.replace(/\/+$/, ""));

/** Promoting a private or unknown-visibility image into a public repository of this registry. */
export const PUBLISH_POLICIES = ["ALLOW_WITH_CONFIRMATION", "FORBID"] as const;
export type PublishPolicy = (typeof PUBLISH_POLICIES)[number];
const publishPolicy = z.enum(PUBLISH_POLICIES, { error: `publishPolicy must be one of ${PUBLISH_POLICIES.join(", ")}` });

/** Requests in flight at once to a registry's host (lib/providers/generic.ts clientOptions): 1 to the max, the default when unset. */
export const CONCURRENCY_MAX = 64;
export const CONCURRENCY_DEFAULT = 8;
const concurrencyMessage = `concurrency must be a whole number from 1 to ${CONCURRENCY_MAX}`;
const concurrency = z.number({ error: concurrencyMessage }).int(concurrencyMessage).min(1, concurrencyMessage).max(CONCURRENCY_MAX, concurrencyMessage);

const credentials = z.record(z.string(), z.string().max(16_384, "credential values must be at most 16 KiB")).optional();

export const registryCreateSchema = z
  .object({
    name,
    kind: z.enum(REGISTRY_KINDS, { error: `kind must be one of ${REGISTRY_KINDS.join(", ")}` }),
    endpoint: endpointSchema.optional(),
    apiEndpoint: endpointSchema.optional(),
    namespace: z.string().trim().max(255, "namespace must be at most 255 characters").optional(),
    insecure: z.boolean().optional(),
    publishPolicy: publishPolicy.optional(),
    /** null or absent: the process's setting (REGATTA_REGISTRY_CONCURRENCY, default 8) */
    concurrency: concurrency.nullable().optional(),
    credentials,
  })
  .strict()
  .superRefine((v, ctx) => {
    const info = KINDS[v.kind];
    if (!v.endpoint && !info.defaultEndpoint && !info.discoveredEndpoint) {
      ctx.addIssue({ code: "custom", path: ["endpoint"], message: "endpoint is required for this kind" });
    }
    checkCredentialFields(v.kind, v.credentials, ctx, true);
  })
  // undefined only for a kind whose provider discovers its endpoint (lib/services/registries.ts asks it)
  .transform((v) => ({ ...v, endpoint: v.endpoint ?? KINDS[v.kind].defaultEndpoint }));

export const registryUpdateSchema = z
  .object({
    name: name.optional(),
    endpoint: endpointSchema.optional(),
    /** null goes back to the kind's default */
    apiEndpoint: endpointSchema.nullable().optional(),
    namespace: z.string().trim().max(255).nullable().optional(),
    insecure: z.boolean().optional(),
    publishPolicy: publishPolicy.optional(),
    /** null goes back to the process's setting */
    concurrency: concurrency.nullable().optional(),
    // replaces the stored credentials when present; null removes them
    credentials: credentials.nullable(),
  })
  .strict();

function checkCredentialFields(kind: RegistryKind, creds: Record<string, string> | undefined, ctx: z.RefinementCtx, creating: boolean) {
  const fields = KINDS[kind].fields;
  const known = new Set(fields.map((f) => f.name));
  for (const key of Object.keys(creds ?? {})) {
    if (!known.has(key)) ctx.addIssue({ code: "custom", path: ["credentials", key], message: `credentials.${key} is not a field of ${kind}; expected ${[...known].join(", ")}` });
  }
  if (!creating) return;
  for (const f of fields) {
    if (f.required && !creds?.[f.name]?.trim()) {
      ctx.addIssue({ code: "custom", path: ["credentials", f.name], message: `credentials.${f.name} (${f.label}) is required for ${KINDS[kind].label}` });
    }
  }
  if (kind === "GOOGLE" && creds?.serviceAccountJson?.trim()) {
    const key = googleKeyProblem(creds.serviceAccountJson);
    if (key) ctx.addIssue({ code: "custom", path: ["credentials", "serviceAccountJson"], message: key });
  }
  if (kind === "GOOGLE" && creds?.loginUser?.trim() && !["oauth2accesstoken", "_json_key"].includes(creds.loginUser.trim())) {
    ctx.addIssue({ code: "custom", path: ["credentials", "loginUser"], message: "credentials.loginUser must be oauth2accesstoken or _json_key" });
  }
  if ((kind === "ECR" || kind === "ECR_PUBLIC") && !!creds?.accessKeyId?.trim() !== !!creds?.secretAccessKey?.trim()) {
    ctx.addIssue({ code: "custom", path: ["credentials", creds?.accessKeyId?.trim() ? "secretAccessKey" : "accessKeyId"], message: "give both the access key id and the secret access key, or neither for the server's default AWS credentials" });
  }
  if (kind === "GENERIC" && creds && !!creds.username !== !!creds.password) {
    ctx.addIssue({ code: "custom", path: ["credentials", creds.username ? "password" : "username"], message: "give both username and password, or neither for an open registry" });
  }
}

/** A pasted Google key that is not a service-account JSON key, said plainly (no secret in the message). */
function googleKeyProblem(text: string): string | null {
  let k: Record<string, unknown>;
  try {
    k = JSON.parse(text);
  } catch {
    return "credentials.serviceAccountJson is not JSON: paste the whole key file";
  }
  if (k?.type !== "service_account" || typeof k.client_email !== "string" || typeof k.private_key !== "string") {
    return "credentials.serviceAccountJson is not a service account key (needs type service_account, client_email and private_key)";
  }
  return null;
}

export function validateCredentialsFor(kind: RegistryKind, creds: Record<string, string>): z.core.$ZodIssue[] {
  const r = z.object({}).superRefine((_, ctx) => checkCredentialFields(kind, creds, ctx, true)).safeParse({});
  return r.success ? [] : r.error.issues;
}

export type RegistryCreateInput = z.infer<typeof registryCreateSchema>;
export type RegistryUpdateInput = z.infer<typeof registryUpdateSchema>;

/** What the API and the pages show of a registry: never a secret. */
export interface RegistryView {
  id: string;
  name: string;
  kind: RegistryKind;
  endpoint: string;
  /** the vendor REST API base when set; null means the kind's default */
  apiEndpoint: string | null;
  namespace: string | null;
  insecure: boolean;
  credentialPreview: string | null;
  /** promoting a private or unknown-visibility image into a public repository here: with confirmation, or never */
  publishPolicy: PublishPolicy;
  /** requests in flight at once to its host; null: the process's setting (REGATTA_REGISTRY_CONCURRENCY) */
  concurrency: number | null;
  createdAt: string;
  updatedAt: string;
}

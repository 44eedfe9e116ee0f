import "server-only";
// Registry connections: the only place that stores or reads their credentials.
import { randomUUID } from "node:crypto";
import { conflict, DomainError, notFound } from "@/lib/errors";
import { appendAudit } from "@/lib/audit/log";
import type { Actor } from "@/lib/auth/guard";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { credentialPreview, openCredentials, sealCredentials, type CredentialFields } from "@/lib/secrets/credentials";
import { providerDefinition } from "@/lib/providers";
import {
  endpointSchema,
  KINDS,
  registryCreateSchema,
  type RegistryCreateInput,
  registryUpdateSchema,
  validateCredentialsFor,
  type RegistryUpdateInput,
  type RegistryView,
} from "@/lib/schemas/registry";
import { ZodError } from "zod";
import { isId } from "@/lib/schemas/id";

type Row = Awaited<ReturnType<typeof db.registry.findFirstOrThrow>>;

export function toView(r: Row): RegistryView {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    endpoint: r.endpoint,
    apiEndpoint: r.apiEndpoint,
    namespace: r.namespace,
    insecure: r.insecure,
    credentialPreview: r.credentialPreview,
    publishPolicy: r.publishPolicy,
    concurrency: r.concurrency,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** Every registry, or only these ids (what the asker may see: lib/auth/access.ts visibleRegistryIds). */
export async function listRegistries(visibleIds?: string[] | null): Promise<RegistryView[]> {
  return (await db.registry.findMany({ where: visibleIds ? { id: { in: visibleIds } } : {}, orderBy: { name: "asc" } })).map(toView);
}

export async function getRegistry(id: string): Promise<RegistryView> {
  const row = isId(id) ? await db.registry.findUnique({ where: { id } }) : null;
  if (!row) throw notFound(`registry ${id}`);
  return toView(row);
}


function duplicateName(err: unknown, name: string | undefined) {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
    return conflict(`a registry named "${name}" already exists`, { issues: [{ field: "name", message: "already taken" }] });
  }
  return err;
}

async function audit(actor: Actor, action: string, outcome: "success" | "failure" | "denied", registryId: string | null, details: Record<string, unknown>) {
  await appendAudit({ actorKind: "USER", actor: actor.email, action, outcome, registryId, sourceAddress: actor.address, details });
}

export async function createRegistry(actor: Actor, body: unknown): Promise<RegistryView> {
  const input = registryCreateSchema.parse(body);
  const id = randomUUID();
  try {
    const endpoint = input.endpoint ?? (await discoverEndpoint(input));
    const row = await db.registry.create({
      data: {
        id,
        name: input.name,
        kind: input.kind,
        endpoint,
        apiEndpoint: input.apiEndpoint || null,
        namespace: input.namespace || null,
        insecure: input.insecure ?? false,
        publishPolicy: input.publishPolicy,
        concurrency: input.concurrency ?? null,
        ...sealCredentials(id, input.credentials),
        credentialPreview: credentialPreview(input.kind, input.credentials),
        createdById: actor.id,
      },
    });
    await audit(actor, "registry.create", "success", id, { name: input.name, kind: input.kind, endpoint, ...(input.endpoint ? {} : { endpointFrom: "provider" }) });
    return toView(row);
  } catch (err) {
    await audit(actor, "registry.create", "failure", null, { name: input.name, kind: input.kind, reason: errorReason(err) });
    throw duplicateName(err, input.name);
  }
}

/** A kind whose endpoint may be left empty asks its provider (ECR: the keys' registry in the region). */
async function discoverEndpoint(input: RegistryCreateInput): Promise<string> {
  const def = providerDefinition(input.kind);
  if (!def.discoverEndpoint) throw new ZodError([{ code: "custom", path: ["endpoint"], message: "endpoint is required for this kind", input: undefined }]);
  const c = { kind: input.kind, apiEndpoint: input.apiEndpoint ?? null, namespace: input.namespace ?? null, insecure: input.insecure ?? false, credentials: (input.credentials ?? null) as CredentialFields | null };
  const found = endpointSchema.parse(await def.discoverEndpoint({ ...c, apiEndpoint: c.apiEndpoint || def.defaultApiEndpoint?.({ ...c, endpoint: "" }) || null }));
  return found;
}

/**
 * What of a PATCH changes where the stored credentials would be sent: the registry endpoint, the
 * vendor API endpoint (null = the kind's default, compared as the URL it stands for), or turning
 * TLS verification off. Each is a move of the credentials to a place they were not entered for.
 */
export function credentialDestinationChanges(current: Pick<RegistryView, "kind" | "endpoint" | "apiEndpoint" | "insecure">, input: RegistryUpdateInput) {
  const changes: { field: "endpoint" | "apiEndpoint" | "insecure"; from: string | boolean; to: string | boolean }[] = [];
  if (input.endpoint !== undefined && input.endpoint !== current.endpoint) changes.push({ field: "endpoint", from: current.endpoint, to: input.endpoint });
  if (input.apiEndpoint !== undefined) {
    const effective = (v: string | null) => v || KINDS[current.kind].defaultApiEndpoint || "";
    if (effective(input.apiEndpoint) !== effective(current.apiEndpoint)) {
      changes.push({ field: "apiEndpoint", from: effective(current.apiEndpoint) || "(none)", to: effective(input.apiEndpoint) || "(none)" });
    }
  }
  // turning verification back on sends them nowhere new
  if (input.insecure === true && !current.insecure) changes.push({ field: "insecure", from: false, to: true });
  return changes;
}

export async function updateRegistry(actor: Actor, id: string, body: unknown): Promise<RegistryView> {
  const current = await getRegistry(id);
  const input = registryUpdateSchema.parse(body);
  if (input.credentials) {
    const issues = validateCredentialsFor(current.kind, input.credentials);
    if (issues.length) throw new ZodError(issues);
  }
  // Stored credentials never follow a move: a new endpoint (or one without TLS verification)
  // gets them only when they are entered again with it, or they are removed (credentials: null).
  const moves = credentialDestinationChanges(current, input);
  const stored = (await db.registry.findUnique({ where: { id }, select: { credentialsKeyId: true } }))?.credentialsKeyId != null;
  if (moves.length && stored && input.credentials === undefined) {
    const fields = moves.map((m) => m.field).join(", ");
    await audit(actor, "registry.update", "denied", id, { name: current.name, reason: "credentials not entered again", moves });
    throw new DomainError("CREDENTIALS_REQUIRED", `changing ${fields} needs the credentials entered again (or removed): stored credentials are only sent where they were entered for`, {
      issues: [{ field: "credentials", message: `enter the credentials again for the new ${fields}` }],
    });
  }
  const creds = input.credentials === undefined ? {} : {
    ...sealCredentials(id, input.credentials),
    credentialPreview: credentialPreview(current.kind, input.credentials),
  };
  try {
    const row = await db.registry.update({
      where: { id },
      data: {
        name: input.name,
        endpoint: input.endpoint,
        apiEndpoint: input.apiEndpoint === undefined ? undefined : input.apiEndpoint || null,
        namespace: input.namespace === undefined ? undefined : input.namespace || null,
        insecure: input.insecure,
        publishPolicy: input.publishPolicy,
        concurrency: input.concurrency,
        ...creds,
      },
    });
    const changed = Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined);
    await audit(actor, "registry.update", "success", id, {
      name: row.name, changed,
      ...(moves.length ? { moves, credentials: input.credentials === null ? "removed" : input.credentials ? "entered again" : "none stored" } : {}),
    });
    return toView(row);
  } catch (err) {
    await audit(actor, "registry.update", "failure", id, { reason: errorReason(err) });
    throw duplicateName(err, input.name);
  }
}

export async function deleteRegistry(actor: Actor, id: string): Promise<void> {
  const current = await getRegistry(id);
  await db.registry.delete({ where: { id } });
  await audit(actor, "registry.delete", "success", id, { name: current.name, kind: current.kind });
}

/** Server-side only: the decrypted credentials of one registry, for a registry call. */
export async function registryConnection(id: string): Promise<RegistryView & { credentials: CredentialFields | null }> {
  // an id that is not a uuid is no registry (PostgreSQL would refuse it with an error, a 500)
  const row = isId(id) ? await db.registry.findUnique({ where: { id }, omit: { credentialsCiphertext: false, credentialsNonce: false } }) : null;
  if (!row) throw notFound(`registry ${id}`);
  return { ...toView(row), credentials: openCredentials(row.id, row) };
}

function errorReason(err: unknown): string {
  if (err instanceof Prisma.PrismaClientKnownRequestError) return err.code === "P2002" ? "duplicate name" : err.code;
  return err instanceof Error ? err.name : "unknown";
}

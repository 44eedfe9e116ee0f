import "server-only";
// Release stages (dev -> staging -> prod), each one repository of one registry.
import { conflict, notFound } from "@/lib/errors";
import { appendAudit } from "@/lib/audit/log";
import { requireRegistryAdmin, type Visible } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/guard";
import { db } from "@/lib/db";
import { isId } from "@/lib/schemas/id";
import { Prisma } from "@/lib/generated/prisma/client";
import { environmentSchema } from "@/lib/schemas/promotion";
import { registryClient } from "./clients";
import { getRegistry } from "./registries";

/** The stages, those in registries `visible` lets through (every one without it). */
export async function listEnvironments(visible?: Visible) {
  const rows = await db.environment.findMany({ orderBy: { position: "asc" } });
  return visible ? rows.filter((e) => visible(e.registryId, e.repository)) : rows;
}

export async function createEnvironment(actor: Actor, body: unknown) {
  await requireRegistryAdmin(actor);
  const input = environmentSchema.parse(body);
  await requireRegistryAdmin(actor, input.registryId);
  await getRegistry(input.registryId);
  try {
    const env = await db.environment.create({ data: input });
    await appendAudit({ actorKind: "USER", actor: actor.email, action: "environment.create", outcome: "success", registryId: env.registryId, repository: env.repository, sourceAddress: actor.address, details: { name: env.name, position: env.position } });
    return env;
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") throw conflict(`an environment named "${input.name}" already exists`);
    throw e;
  }
}

export async function deleteEnvironment(actor: Actor, id: string) {
  await requireRegistryAdmin(actor);
  const env = isId(id) ? await db.environment.findUnique({ where: { id } }) : null;
  if (!env) throw notFound(`environment ${id}`);
  await requireRegistryAdmin(actor, env.registryId);
  await db.environment.delete({ where: { id } });
  await appendAudit({ actorKind: "USER", actor: actor.email, action: "environment.delete", outcome: "success", registryId: env.registryId, sourceAddress: actor.address, details: { name: env.name } });
}

export interface Stage {
  id: string;
  name: string;
  registryId: string;
  repository: string;
  /** the digest the tag has in this stage, null when the tag is not there, undefined when unknown */
  digest: string | null | undefined;
  error?: string;
}

/** Where one tag stands in the pipeline: its digest in every stage (one HEAD per stage). */
export async function pipelineFor(tag: string, visible?: Visible): Promise<Stage[]> {
  const envs = await listEnvironments(visible);
  return Promise.all(
    envs.map(async (e) => {
      const base = { id: e.id, name: e.name, registryId: e.registryId, repository: e.repository };
      try {
        const head = await (await registryClient(e.registryId)).headManifest(e.repository, tag);
        return { ...base, digest: head?.digest ?? null };
      } catch (err) {
        return { ...base, digest: undefined, error: (err as Error).message };
      }
    }),
  );
}

import "server-only";
// The pipeline's stages (dev -> staging -> prod), each one repository of one registry.
import { conflict, notFound } from "@/lib/errors";
import { appendAudit } from "@/lib/audit/log";
import { requireRegistryAdmin, type Visible } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/guard";
import { db } from "@/lib/db";
import { isId } from "@/lib/schemas/id";
import { Prisma } from "@/lib/generated/prisma/client";
import { stageSchema } from "@/lib/schemas/promotion";
import { registryClient } from "./clients";
import { getRegistry } from "./registries";

/**
 * The audit actions of stages. Databases written before the rename hold `environment.create` and
 * `environment.delete`: those events stay as written (they are hash-chained) and a filter on the
 * new name finds them too (lib/services/audit.ts, LEGACY_ACTIONS).
 */
export const STAGE_ACTIONS = { create: "stage.create", delete: "stage.delete" } as const;

/** The stages, those in registries `visible` lets through (every one without it). */
export async function listStages(visible?: Visible) {
  const rows = await db.stage.findMany({ orderBy: { position: "asc" } });
  return visible ? rows.filter((s) => visible(s.registryId, s.repository)) : rows;
}

export async function createStage(actor: Actor, body: unknown) {
  await requireRegistryAdmin(actor);
  const input = stageSchema.parse(body);
  await requireRegistryAdmin(actor, input.registryId);
  await getRegistry(input.registryId);
  try {
    const stage = await db.stage.create({ data: input });
    await appendAudit({ actorKind: "USER", actor: actor.email, action: STAGE_ACTIONS.create, outcome: "success", registryId: stage.registryId, repository: stage.repository, sourceAddress: actor.address, details: { name: stage.name, position: stage.position } });
    return stage;
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") throw conflict(`a stage named "${input.name}" already exists`);
    throw e;
  }
}

export async function deleteStage(actor: Actor, id: string) {
  await requireRegistryAdmin(actor);
  const stage = isId(id) ? await db.stage.findUnique({ where: { id } }) : null;
  if (!stage) throw notFound(`stage ${id}`);
  await requireRegistryAdmin(actor, stage.registryId);
  await db.stage.delete({ where: { id } });
  await appendAudit({ actorKind: "USER", actor: actor.email, action: STAGE_ACTIONS.delete, outcome: "success", registryId: stage.registryId, sourceAddress: actor.address, details: { name: stage.name } });
}

/** One stage with where a tag stands in it. */
export interface StageCell {
  id: string;
  name: string;
  registryId: string;
  repository: string;
  /** the digest the tag has in this stage, null when the tag is not there, undefined when unknown */
  digest: string | null | undefined;
  error?: string;
}

/** Where one tag stands in the pipeline: its digest in every stage (one HEAD per stage). */
export async function pipelineFor(tag: string, visible?: Visible): Promise<StageCell[]> {
  const stages = await listStages(visible);
  return Promise.all(
    stages.map(async (s) => {
      const base = { id: s.id, name: s.name, registryId: s.registryId, repository: s.repository };
      try {
        const head = await (await registryClient(s.registryId)).headManifest(s.repository, tag);
        return { ...base, digest: head?.digest ?? null };
      } catch (err) {
        return { ...base, digest: undefined, error: (err as Error).message };
      }
    }),
  );
}

/**
 * GET /stages (and its deprecated alias /environments): the stages, or with a tag where it stands
 * in each. The alias names the plain list `environments`, as it always did.
 */
export async function stagesView(tag: string | undefined, visible: Visible, listKey: "stages" | "environments" = "stages") {
  return tag ? { stages: await pipelineFor(tag, visible) } : { [listKey]: await listStages(visible) };
}

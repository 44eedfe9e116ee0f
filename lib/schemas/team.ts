import { z } from "zod";
import { ROLES } from "@/lib/schemas/roles";
import { globField, REPOSITORY_MAX } from "./names";

const name = z.string({ error: "name is required" }).trim().min(1, "name is required").max(64, "name must be at most 64 characters");
// the identity provider's group name as its groups claim carries it
const oidcGroup = z.string().trim().min(1, "oidcGroup may not be empty").max(256, "oidcGroup must be at most 256 characters");

export const teamCreateSchema = z.object({ name, oidcGroup: oidcGroup.nullable().optional() }).strict();
export const teamUpdateSchema = z.object({ name: name.optional(), oidcGroup: oidcGroup.nullable().optional() }).strict();
export const teamMemberSchema = z.object({ userId: z.string({ error: "userId is required" }).uuid("userId must be a user id") }).strict();
export const grantCreateSchema = z
  .object({
    registryId: z.string({ error: "registryId is required" }).uuid("registryId must be a registry id"),
    /** default `*`: the whole registry */
    repositoryGlob: globField("repositoryGlob", REPOSITORY_MAX).optional(),
    role: z.enum(ROLES, { error: `role must be one of ${ROLES.join(", ")}` }),
    /** may promote from a private or unknown-visibility source into a public repository (needs OPERATOR+) */
    mayPublish: z.boolean().optional(),
  })
  .strict();

export interface GrantView {
  id: string;
  teamId: string;
  registryId: string;
  registryName: string;
  repositoryGlob: string;
  role: (typeof ROLES)[number];
  mayPublish: boolean;
}

export interface TeamView {
  id: string;
  name: string;
  oidcGroup: string | null;
  members: { userId: string; email: string; fromOidc: boolean }[];
  grants: GrantView[];
}

/** What one person may see and do, and why: GET /api/v1/me. */
export interface MyAccessView {
  role: "NONE" | (typeof ROLES)[number];
  teams: { id: string; name: string }[];
  grants: (GrantView & { teamName: string })[];
  /** a token limited to some registries */
  tokenRegistryIds?: string[];
}

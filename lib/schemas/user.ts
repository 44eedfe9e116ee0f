import { z } from "zod";
import { GLOBAL_ROLES } from "@/lib/schemas/roles";

export const MIN_PASSWORD = 10;

const email = z.string({ error: "email is required" }).trim().toLowerCase().email("email is not a valid address").max(254);
const password = z.string().min(MIN_PASSWORD, `password must be at least ${MIN_PASSWORD} characters`).max(1024);
// NONE: no global rights, only what the person's teams grant
const role = z.enum(GLOBAL_ROLES, { error: `role must be one of ${GLOBAL_ROLES.join(", ")}` });

export const userCreateSchema = z.object({ email, name: z.string().trim().max(100).optional(), role, password }).strict();
export const userUpdateSchema = z.object({ name: z.string().trim().max(100).nullable().optional(), role: role.optional(), password: password.optional() }).strict();
export const tokenCreateSchema = z
  .object({
    name: z.string({ error: "name is required" }).trim().min(1, "name is required").max(64, "name must be at most 64 characters"),
    /** READ: GET/HEAD only; WRITE: everything the owner's role allows. Default READ. */
    scope: z.enum(["READ", "WRITE"], { error: "scope must be READ or WRITE" }).default("READ"),
    /** default 90 days (REGATTA_TOKEN_DEFAULT_DAYS); every token expires */
    /** only these registries (at most 50); none: every registry the owner may see */
    registryIds: z.array(z.string().uuid("registryIds must be registry ids")).max(50, "at most 50 registries").optional(),
    expiresInDays: z.number({ error: "expiresInDays must be a whole number of days" }).int("expiresInDays must be a whole number of days").min(1, "expiresInDays must be at least 1").max(3650, "expiresInDays must be at most 3650").optional(),
  })
  .strict();

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  role: (typeof GLOBAL_ROLES)[number];
  external: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  scope: "READ" | "WRITE";
  /** limited to these registries; empty: every registry the owner may see */
  registryIds: string[];
  /** in the admin's list of everyone's tokens */
  owner?: { id: string; email: string };
}

/** The password sign-in form. */
export const loginSchema = z.object({ email: z.string().trim().toLowerCase().email().max(254), password: z.string().min(1).max(1024) });

// Roles, lowest first. Shared by the server guard and the pages that hide what a role cannot do.
export const ROLES = ["VIEWER", "OPERATOR", "ADMIN"] as const;
export type Role = (typeof ROLES)[number];

/** A person's global role: NONE has no global rights, only what their teams' grants give. */
export const GLOBAL_ROLES = ["NONE", ...ROLES] as const;
export type GlobalRole = (typeof GLOBAL_ROLES)[number];

export function hasRole(actual: GlobalRole, required: Role): boolean {
  return GLOBAL_ROLES.indexOf(actual) >= GLOBAL_ROLES.indexOf(required);
}

/** The higher of two roles (NONE below every role). */
export function maxRole(a: GlobalRole, b: GlobalRole): GlobalRole {
  return GLOBAL_ROLES.indexOf(a) >= GLOBAL_ROLES.indexOf(b) ? a : b;
}

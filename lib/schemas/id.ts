// Ids of the dashboard's own records (registries, policies, runs, rules…): PostgreSQL uuids. One schema
// for the routes' bodies and one check for the services, so an id that is not a uuid is a clear 422 in a
// body and "not found" in a path, never a query PostgreSQL refuses (a 500).
import { z } from "zod";

/** A record id; `message` says what the id names ("must be a registry id"). */
export const idSchema = (message = "must be an id") => z.uuid(message);

const anyId = idSchema();

/** True when `s` can be a record id; services look nothing up otherwise. */
export function isId(s: string): boolean {
  return anyId.safeParse(s).success;
}

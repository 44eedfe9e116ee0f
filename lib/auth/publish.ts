import "server-only";
// Who may publish: promote an image from a private or unknown-visibility repository into a public
// one (after confirming it, and only where the registry's publishPolicy allows it at all).
import type { Actor } from "./actor";

/**
 * Whether `actor` may publish into `repository` of registry `registryId`. Today only a global
 * admin may; teams' grants (Grant.mayPublish) extend this: the integrator wires it to the teams
 * access function with exactly this signature.
 */
export async function mayPublish(actor: Actor, registryId: string, repository: string): Promise<boolean> {
  void registryId;
  void repository;
  return actor.role === "ADMIN";
}

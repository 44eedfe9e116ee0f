import "server-only";
// Signed-only promotion: the one place that decides whether a digest may go into a tag whose
// protection rules require a verified cosign signature and/or referrers of given artifactTypes.
// Called by the plan (what is required, what is missing), by the request and again by the run
// (time has passed: a signature may have gone, a key may have been removed).
import { DomainError, notFound } from "@/lib/errors";
import { RegistryError, type RegistryClient, type SupplyChain } from "@/lib/registry";
import { SBOM_TYPES, type BadgeView, type GateView, type SupplyChainView } from "@/lib/schemas/signing";
import { verifyAny, type Verdict } from "@/lib/signing/cosign";
import { registryClient } from "./clients";
import { protectionFor, type Protection } from "./protection";
import { trustedKeys } from "./signing-keys";

/** A refusal by the gate: 403 to the caller, audited as "denied" (not as a failure). */
export class SignatureGateRefused extends DomainError {
  constructor(message: string) {
    super("FORBIDDEN", message);
  }
}

export interface GateResult extends GateView { verdict?: Verdict | null }

/** Evaluates the gate for `digest` in the source repository (where cosign keeps its signatures). */
export async function evaluateGate(protection: Pick<Protection, "requireSignature" | "requireArtifactTypes">, src: RegistryClient, repository: string, digest: string, signal?: AbortSignal): Promise<GateResult> {
  const requires: string[] = [];
  if (protection.requireSignature) requires.push("a cosign signature verified by a configured signing key");
  for (const t of protection.requireArtifactTypes) requires.push(`a referrer of type ${t}`);
  if (requires.length === 0) return { requires, missing: [] };
  let chain: SupplyChain;
  try {
    chain = await src.supplyChain(repository, digest, signal);
  } catch (e) {
    if (!(e instanceof RegistryError)) throw e;
    return { requires, missing: [`the source's signatures and referrers could not be read: ${e.message}`] };
  }
  const missing: string[] = [];
  let verdict: Verdict | null = null;
  if (protection.requireSignature) {
    verdict = verifyAny(chain.signatures, digest, await trustedKeys());
    if (!verdict) missing.push(`no cosign signature of ${digest} was found${chain.problems.length ? ` (${chain.problems[0]})` : ""}`);
    else if (!verdict.ok) missing.push(`the signature is not valid: ${verdict.reason}`);
  }
  for (const t of protection.requireArtifactTypes) {
    if (!chain.referrers.some((r) => r.artifactType === t)) missing.push(`no referrer of type ${t}`);
  }
  return { requires, missing, verdict };
}

/** For the request and the run: throws SignatureGateRefused (→ 403, audited as denied) when something is missing. */
export async function enforceSignatureGate(target: { registryId: string; repository: string; tag: string }, src: RegistryClient, repository: string, digest: string, signal?: AbortSignal): Promise<void> {
  const protection = await protectionFor(target.registryId, target.repository, target.tag);
  const gate = await evaluateGate(protection, src, repository, digest, signal);
  if (gate.missing.length) throw new SignatureGateRefused(`${target.repository}:${target.tag} requires ${gate.requires.join(" and ")}: ${gate.missing.join("; ")}`);
}

/** The tag page's badges: signature verified / unverified / missing (with the key's name), SBOM present / missing. */
export async function supplyChainView(registryId: string, repository: string, reference: string, signal?: AbortSignal): Promise<SupplyChainView> {
  const client = await registryClient(registryId);
  const head = await client.headManifest(repository, reference, signal);
  if (!head) throw notFound(`${repository}:${reference}`);
  const digest = head.digest;
  const chain = await client.supplyChain(repository, digest, signal);
  const verdict = verifyAny(chain.signatures, digest, await trustedKeys());
  const signature: BadgeView = !verdict
    ? { state: chain.problems.length ? "error" : "missing", ...(chain.problems.length ? { reason: chain.problems[0] } : {}) }
    : verdict.ok ? { state: "verified", detail: verdict.keyName } : { state: "unverified", reason: verdict.reason };
  const sboms = chain.referrers.filter((r) => r.artifactType && (SBOM_TYPES.includes(r.artifactType) || /sbom|spdx|cyclonedx/i.test(r.artifactType)));
  const sbom: BadgeView = sboms.length ? { state: "present", detail: [...new Set(sboms.map((r) => r.artifactType!))].join(", ") } : { state: "missing" };
  return { digest, signature, sbom, referrers: chain.referrers.slice(0, 50).map((r) => ({ artifactType: r.artifactType ?? null, digest: r.digest })) };
}

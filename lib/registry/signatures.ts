// What a registry holds about a manifest's supply chain: cosign signatures (the classic
// `sha256-<hex>.sig` tag of sigstore/cosign specs/SIGNATURE_SPEC.md "Tag-based Discovery", and
// signature manifests attached as OCI 1.1 referrers) and every referrer (SBOMs, attestations).
// Reads only: each manifest through getManifest (capped), each payload through readBlob (capped).
import type { ClientCore } from "./core";
import { RegistryError } from "./errors";
import { getManifest } from "./manifests";
import { referrers, referrersTag } from "./referrers";
import { manifestLinks, type Descriptor } from "./types";
import { readBlob } from "./blobs";

export const COSIGN_SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
export const COSIGN_SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
/** artifactType of a cosign signature attached as a referrer (cosign's OCI 1.1 mode) */
export const COSIGN_SIGNATURE_ARTIFACT = "application/vnd.dev.cosign.artifact.sig.v1+json";
/** a Simple Signing payload is a few hundred bytes; a layer declaring more is not read */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** signature layers read per subject, and signature referrers opened: a hostile registry gets no more */
export const MAX_SIGNATURES = 16;

export interface SignatureLayer { payload: Uint8Array; signature: string | undefined; source: "tag" | "referrer" }

export interface SupplyChain {
  signatures: SignatureLayer[];
  /** every referrer of the subject (signatures included), as the registry lists them */
  referrers: Descriptor[];
  /** a step that failed (the registry answered badly); what was found before it is kept */
  problems: string[];
}

/** The cosign signature tag of a subject: `sha256-<hex>.sig`. */
export function cosignSignatureTag(digest: string): string {
  return `${referrersTag(digest)}.sig`;
}

export async function supplyChain(core: ClientCore, repository: string, digest: string, signal?: AbortSignal): Promise<SupplyChain> {
  const out: SupplyChain = { signatures: [], referrers: [], problems: [] };
  const note = (e: unknown) => {
    if (!(e instanceof RegistryError)) throw e;
    out.problems.push(e.message);
  };
  const fromManifest = async (reference: string, source: SignatureLayer["source"]) => {
    const m = await getManifest(core, repository, reference, signal);
    for (const layer of manifestLinks(m.json).layers) {
      if (layer.mediaType !== COSIGN_SIMPLESIGNING) continue;
      if (out.signatures.length >= MAX_SIGNATURES) return;
      if (layer.size > MAX_PAYLOAD_BYTES) {
        out.problems.push(`a signature payload of ${layer.size} bytes is over the ${MAX_PAYLOAD_BYTES}-byte limit; not read`);
        continue;
      }
      const payload = await readBlob(core, repository, layer.digest, layer.size, MAX_PAYLOAD_BYTES, signal);
      out.signatures.push({ payload, signature: layer.annotations?.[COSIGN_SIGNATURE_ANNOTATION], source });
    }
  };
  await Promise.all([
    fromManifest(cosignSignatureTag(digest), "tag").catch((e) => (e instanceof RegistryError && e.status === 404 ? undefined : note(e))),
    referrers(core, repository, digest, undefined, signal).then((r) => { out.referrers = r; }, note),
  ]);
  const attached = out.referrers.filter((r) => r.artifactType === COSIGN_SIGNATURE_ARTIFACT).slice(0, MAX_SIGNATURES);
  for (const r of attached) await fromManifest(r.digest, "referrer").catch(note);
  return out;
}

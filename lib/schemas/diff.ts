import { z } from "zod";

/** One side of a diff as the query spells it: `<registryId>:<repository>:<tag>` or `<registryId>:<repository>:<algorithm>:<hex>` (or `…@<digest>`). */
export interface DiffReference { registryId: string; repository: string; reference: string }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DIGEST_TAIL = /^(.+?)[:@]((?:sha256|sha512):[0-9a-f]+)$/;

/** Splits a reference string; null when it does not have the three parts. Names and digests are checked by lib/registry. */
export function splitDiffReference(s: string): DiffReference | null {
  const i = s.indexOf(":");
  if (i <= 0) return null;
  const registryId = s.slice(0, i);
  const rest = s.slice(i + 1);
  const d = DIGEST_TAIL.exec(rest);
  if (d) return { registryId, repository: d[1], reference: d[2] };
  const j = rest.lastIndexOf(":");
  if (j <= 0 || j === rest.length - 1) return null;
  return { registryId, repository: rest.slice(0, j), reference: rest.slice(j + 1) };
}

/** The same reference written back, as the query and the compare page spell it. */
export function formatDiffReference(r: DiffReference): string {
  return `${r.registryId}:${r.repository}:${r.reference}`;
}

const side = (name: "from" | "to") =>
  z
    .string({ error: `${name} is required` })
    .min(1, `${name} is required`)
    .max(600, `${name} is at most 600 characters`)
    .transform((s, ctx) => {
      const r = splitDiffReference(s);
      if (!r) {
        ctx.addIssue({ code: "custom", message: `${name} must be <registryId>:<repository>:<tag or digest>` });
        return z.NEVER;
      }
      if (!UUID.test(r.registryId)) {
        ctx.addIssue({ code: "custom", message: `${name}: "${r.registryId.slice(0, 40)}" is not a registry id` });
        return z.NEVER;
      }
      return r;
    });

export const diffQuery = z.object({ from: side("from"), to: side("to") });

export interface DiffSide extends DiffReference {
  digest: string;
  mediaType: string;
  kind: "image" | "index";
  platforms: string[];
}

export interface ConfigChange {
  /** env.NAME, labels.NAME, entrypoint, cmd, user, ports, workingDir, os, architecture */
  key: string;
  from: string | null;
  to: string | null;
  /** for indexes: the platform whose images differ */
  platform?: string;
}

export interface LayerRef {
  digest: string;
  size: number;
  mediaType?: string;
  /** the history line that made the layer, when the config says */
  createdBy?: string;
  platform?: string;
}

export interface DiffAnswer {
  from: DiffSide;
  to: DiffSide;
  config: { changed: ConfigChange[] };
  layers: { added: LayerRef[]; removed: LayerRef[]; shared: LayerRef[] };
  platforms: { added: string[]; removed: string[] };
  /** history lines (created_by) in `to` that `from` does not have */
  history: { added: { line: string; platform?: string }[] };
  /** compressed bytes: config + layers, summed over the platforms of an index */
  size: { from: number; to: number };
}

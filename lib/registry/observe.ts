// One process-wide listener for registry calls (metrics): the registry engine reports each logical
// call (retries included) and each token request, and knows nothing of who listens.
import { processWide } from "../process-wide";

export interface RegistryCallEvent {
  /** the registry's endpoint host (what the client was opened for) */
  endpoint: string;
  method: string;
  /** "token": a token request to the registry's realm; "call": anything else */
  type: "call" | "token";
  /** the final HTTP status, or undefined when no answer came (network, timeout, abort) */
  status?: number;
  seconds: number;
  /** what the registry said of its pull budget (Docker Hub's `ratelimit-remaining: 100;w=21600`) */
  rateLimitRemaining?: number;
}

export type RegistryCallObserver = (e: RegistryCallEvent) => void;

const g = processWide("registryObserver", (): { observer?: RegistryCallObserver } => ({}));

export function observeRegistryCalls(fn: RegistryCallObserver | undefined) {
  g.observer = fn;
}

export function reportRegistryCall(e: RegistryCallEvent) {
  try {
    g.observer?.(e);
  } catch {
    // a listener's failure is never the call's
  }
}

/** `100;w=21600` → 100 */
export function parseRateLimitRemaining(v: string | null): number | undefined {
  const n = v ? Number(v.split(";")[0]!.trim()) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

import "server-only";
// Whether this instance is shutting down (readiness answers 503 from the first moment), and how
// long running promotions get to finish. The stop itself is lib/services/workers.ts shutdown().
import { processWide } from "../process-wide";

const g = processWide("shutdown", () => ({ shuttingDown: false, drain: undefined as ((signal: string) => Promise<void>) | undefined }));

/** Next's half of a graceful stop (lib/services/workers.ts shutdown()), published by instrumentation.ts for scripts/start.ts. */
export function publishDrain(drain: (signal: string) => Promise<void>) {
  g.drain = drain;
}

export function publishedDrain(): ((signal: string) => Promise<void>) | undefined {
  return g.drain;
}

export function shuttingDown(): boolean {
  return g.shuttingDown;
}

/** Marks the instance as shutting down; false when it already was (the stop runs once). */
export function beginShutdown(): boolean {
  if (g.shuttingDown) return false;
  g.shuttingDown = true;
  return true;
}

/** Seconds a running promotion gets to finish before it is handed back (REGATTA_SHUTDOWN_GRACE_SECONDS, default 20). */
export function graceMs(): number {
  const s = Number(process.env.REGATTA_SHUTDOWN_GRACE_SECONDS ?? 20);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : 20_000;
}

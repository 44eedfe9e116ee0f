import "server-only";
// Whether this instance is shutting down (readiness answers 503 from the first moment), and how
// long running promotions get to finish. The stop itself is lib/services/workers.ts shutdown().
const g = globalThis as unknown as { regattaShuttingDown?: boolean };

export function shuttingDown(): boolean {
  return !!g.regattaShuttingDown;
}

/** Marks the instance as shutting down; false when it already was (the stop runs once). */
export function beginShutdown(): boolean {
  if (g.regattaShuttingDown) return false;
  g.regattaShuttingDown = true;
  return true;
}

/** Seconds a running promotion gets to finish before it is handed back (REGATTA_SHUTDOWN_GRACE_SECONDS, default 20). */
export function graceMs(): number {
  const s = Number(process.env.REGATTA_SHUTDOWN_GRACE_SECONDS ?? 20);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : 20_000;
}

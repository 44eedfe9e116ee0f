// Runs once when a Next server starts: every instance works on the job queues. Under `npm start`
// (and the image) Next leaves SIGTERM/SIGINT to us (NEXT_MANUAL_SIG_HANDLE): jobs drain first.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || !process.env.DATABASE_URL) return;
  const { startWorkers } = await import("@/lib/services/workers");
  await startWorkers();
  // the audit chain's state for /metrics: verified again when a scrape finds the last check stale
  const { onScrape } = await import("@/lib/observability/metrics");
  const { auditChainStatus } = await import("@/lib/services/audit");
  const every = Number(process.env.REGATTA_AUDIT_VERIFY_MINUTES || 15) * 60_000;
  let last = 0;
  onScrape("audit", async () => {
    if (Date.now() - last < every) return;
    last = Date.now();
    await auditChainStatus();
  });
  if (process.env.NEXT_MANUAL_SIG_HANDLE) {
    const { shutdown } = await import("@/lib/services/workers");
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => void shutdown(signal).finally(() => process.exit(0)));
    }
  }
}

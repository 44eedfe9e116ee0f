// Runs once when Next starts: every instance works on the job queues. Under `npm start` (and the
// image) Next runs inside scripts/start.ts, which owns SIGTERM/SIGINT: it stops taking requests,
// then calls Next's half of the stop published here (jobs drain, pg-boss stops, pools close).
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
  const { shutdown } = await import("@/lib/services/workers");
  (await import("@/lib/observability/shutdown")).publishDrain(shutdown);
}

// Runs once when a Next server starts: every instance works on the promotion queue.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || !process.env.DATABASE_URL) return;
  const { startWorkers } = await import("@/lib/jobs/workers");
  await startWorkers();
}

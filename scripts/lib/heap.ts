// How far V8 lets the old generation grow past what survived its last full collection before it
// collects again (REGATTA_HEAP_GROWTH_PERCENT, default 20; 0 leaves V8's own factor). V8's factor
// (1.1–4×, from its speed estimates) let ten users filling cold tag tables at once raise the
// process's RSS by ~240 MiB: garbage promoted out of the young generation (registry requests
// waiting their turn outlive two scavenges) and left until a full collection. With 20 % the same
// run grew ~50 MiB, at the same fill times (docs/SCALING.md).
import v8 from "node:v8";

export const DEFAULT_HEAP_GROWTH_PERCENT = 20;

/** REGATTA_HEAP_GROWTH_PERCENT as a whole number 0–400; anything else stops the start with the reason. */
export function heapGrowthPercent(env: Record<string, string | undefined> = process.env): number {
  const raw = env.REGATTA_HEAP_GROWTH_PERCENT?.trim();
  if (raw === undefined || raw === "") return DEFAULT_HEAP_GROWTH_PERCENT;
  const n = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 0 && n <= 400)) throw new Error(`REGATTA_HEAP_GROWTH_PERCENT must be a whole number from 0 to 400 (0: V8's own heuristics); got "${raw}"`);
  return n;
}

/** Sets V8's heap growing factor for this process (read at each full collection, so it applies at once). */
export function applyHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

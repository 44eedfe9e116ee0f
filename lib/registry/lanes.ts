// Whose registry requests these are (a user, a token's owner, a job): requests to one host queue
// per lane and the lanes take turns (FairSemaphore), so one user's big table cannot starve others.
import { AsyncLocalStorage } from "node:async_hooks";
import { FairSemaphore } from "./semaphore";

// On globalThis: Next bundles pages and route handlers apart (each bundle its own copy of this
// module), and the lanes and the per-host bound are the process's, not a bundle's.
const g = globalThis as unknown as { regattaLanes?: { lane: AsyncLocalStorage<string>; limiters: Map<string, FairSemaphore> } };
const { lane, limiters } = (g.regattaLanes ??= { lane: new AsyncLocalStorage<string>(), limiters: new Map() });

/** Runs fn with every registry request it makes queued in `name`'s lane. */
export function withRegistryLane<T>(name: string, fn: () => T): T {
  return lane.run(name, fn);
}

/** The lane of the code running now ("" when none was set: background work shares one lane). */
export function currentRegistryLane(): string {
  return lane.getStore() ?? "";
}

// One limiter per host (and limit) for the whole process, shared by every client and request:
// two registries on one host, and every user's requests, count against the same bound.
export function hostLimiter(host: string, limit: number): FairSemaphore {
  const key = `${host}#${limit}`;
  let s = limiters.get(key);
  if (!s) limiters.set(key, (s = new FairSemaphore(limit)));
  return s;
}

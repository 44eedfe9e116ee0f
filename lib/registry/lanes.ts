// Whose registry requests these are (a user, a token's owner, a job): requests to one host queue
// per lane and the lanes take turns (FairSemaphore), so one user's big table cannot starve others.
import { AsyncLocalStorage } from "node:async_hooks";
import { FairSemaphore } from "./semaphore";
import { processWide } from "../process-wide";

// the lanes and the per-host bound are the process's, not a bundle's (lib/process-wide.ts)
const { lane, limiters } = processWide("registryLanes", () => ({ lane: new AsyncLocalStorage<string>(), limiters: new Map<string, FairSemaphore>() }));

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

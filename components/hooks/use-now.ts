"use client";
// One clock for every relative time on the page: a single interval, shared by all subscribers.
import { useSyncExternalStore } from "react";

const TICK_MS = 30_000;
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void) {
  listeners.add(listener);
  timer ??= setInterval(() => listeners.forEach((l) => l()), TICK_MS);
  return () => {
    listeners.delete(listener);
    if (!listeners.size && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

// whole 30 s steps: the same value on every call within a step, as useSyncExternalStore needs
const snapshot = () => Math.floor(Date.now() / TICK_MS) * TICK_MS;

/** The current time in ms (to 30 s), refreshed while anything on the page shows a relative time. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

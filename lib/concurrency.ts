// Bounded parallelism for the server and the browser: a pure module (no Node, Next or React import),
// so `components` and `lib/registry` share one implementation built on p-limit.
import pLimit from "p-limit";

export interface MapLimitOptions {
  /**
   * What a failure does to the rest:
   * - "settle" (default): nothing new starts, the calls in flight finish, then the first error is thrown
   *   (the server's choice: no work outlives the caller).
   * - "reject": the answer rejects at once with the first error; calls in flight run on, nothing new starts
   *   (the browser's choice: the user sees the failure without waiting for the slowest call).
   */
  onFailure?: "settle" | "reject";
}

/** Runs fn over items with at most `limit` calls in flight; results in the order of `items`. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  { onFailure = "settle" }: MapLimitOptions = {},
): Promise<R[]> {
  const run = pLimit(Math.max(1, Math.floor(limit) || 1));
  let failed = false;
  let firstError: unknown;
  const calls = items.map((item, i) =>
    run(async () => {
      if (failed) return undefined as R;
      try {
        return await fn(item, i);
      } catch (e) {
        if (!failed) firstError = e;
        failed = true;
        throw e;
      }
    }),
  );
  if (onFailure === "reject") return Promise.all(calls);
  const settled = await Promise.allSettled(calls);
  if (failed) throw firstError;
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}

/**
 * Asks made while the same ask (by key) is running share its promise: one token request, registry
 * listing or database read for every caller at that moment. Nothing is kept once it settles.
 */
export class SharedFlights<T> {
  readonly #running = new Map<string, Promise<T>>();

  run(key: string, start: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key);
    if (running) return running;
    let p: Promise<T>;
    try {
      p = start();
    } catch (e) {
      return Promise.reject(e);
    }
    const shared = p.finally(() => this.#running.delete(key));
    this.#running.set(key, shared);
    return shared;
  }
}

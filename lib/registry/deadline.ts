// Timeouts for one HTTP call: a total deadline for small answers, an idle deadline for streams.

/** The abort reason used when a deadline fires, so it can be told apart from a caller's abort. */
export class DeadlineExceeded extends Error {
  override readonly name = "DeadlineExceeded";
}

export class Deadline {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly unlink: () => void;

  constructor(
    private readonly ms: number,
    parent?: AbortSignal,
  ) {
    const onAbort = () => this.controller.abort(parent?.reason);
    if (parent?.aborted) onAbort();
    parent?.addEventListener("abort", onAbort, { once: true });
    this.unlink = () => parent?.removeEventListener("abort", onAbort);
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted && this.controller.signal.reason instanceof DeadlineExceeded;
  }

  /** Restarts the clock (called on every chunk of a streamed body). */
  touch(): void {
    if (this.controller.signal.aborted) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.controller.abort(new DeadlineExceeded(`no progress for ${this.ms} ms`)), this.ms);
    this.timer.unref?.();
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.unlink();
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Passes a body through, restarting the deadline on every chunk, and turns a failure into
 * mapError(e) so consumers see the client's own error type. done() runs once at the end.
 */
export function watchStream(
  body: ReadableStream<Uint8Array>,
  deadline: Deadline,
  mapError: (e: unknown) => unknown,
  done: () => void = () => deadline.clear(),
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let finished = false;
  const finish = () => {
    if (!finished) {
      finished = true;
      done();
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: end, value } = await reader.read();
        if (end) {
          finish();
          controller.close();
          return;
        }
        deadline.touch();
        controller.enqueue(value);
      } catch (e) {
        finish();
        controller.error(mapError(e));
      }
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
}

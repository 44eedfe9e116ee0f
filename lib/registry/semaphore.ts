/** A counting semaphore: at most `limit` holders at once, the rest wait in FIFO order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`semaphore limit must be at least 1, got ${limit}`);
  }

  async acquire(): Promise<() => void> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `active` stays the same.
      if (next) next();
      else this.active--;
    };
  }

  get inUse(): number {
    return this.active;
  }
}


/**
 * A semaphore fair between lanes (e.g. users): at most `limit` holders at once; when a slot
 * frees, the lanes with waiters take turns (round robin), FIFO within a lane. One user's 1,500
 * HEADs cannot hold another user's few requests behind them.
 */
export class FairSemaphore {
  private active = 0;
  /** waiters per lane, in the order the lanes take their turns */
  private readonly lanes = new Map<string, (() => void)[]>();

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`semaphore limit must be at least 1, got ${limit}`);
  }

  async acquire(lane = ""): Promise<() => void> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => {
        const q = this.lanes.get(lane);
        if (q) q.push(resolve);
        else this.lanes.set(lane, [resolve]);
      });
    } else {
      this.active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.lanes.entries().next();
      if (next.done) {
        this.active--;
        return;
      }
      const [key, q] = next.value;
      // this lane had its turn: to the back of the line, or out when it has no one waiting
      this.lanes.delete(key);
      const wake = q.shift()!;
      if (q.length) this.lanes.set(key, q);
      wake(); // the slot passes straight on, so `active` stays the same
    };
  }

  get inUse(): number {
    return this.active;
  }

  get waiting(): number {
    let n = 0;
    for (const q of this.lanes.values()) n += q.length;
    return n;
  }
}

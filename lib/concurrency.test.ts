import { describe, expect, it } from "vitest";
import { mapLimit, SharedFlights } from "./concurrency";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("mapLimit", () => {
  it("keeps at most `limit` calls in flight and answers in order", async () => {
    let active = 0;
    let most = 0;
    const out = await mapLimit([30, 5, 20, 1, 10], 2, async (ms, i) => {
      most = Math.max(most, ++active);
      await sleep(ms);
      active--;
      return i * 10;
    });
    expect(out).toEqual([0, 10, 20, 30, 40]);
    expect(most).toBe(2);
  });

  it("settle (default): after a failure starts nothing new, waits for the calls in flight, throws the first error", async () => {
    const started: number[] = [];
    let slowDone = false;
    const p = mapLimit([0, 1, 2, 3, 4], 2, async (i) => {
      started.push(i);
      if (i === 0) {
        await sleep(5);
        throw new Error("first");
      }
      await sleep(30);
      if (i === 1) slowDone = true;
      return i;
    });
    await expect(p).rejects.toThrow("first");
    expect(slowDone).toBe(true);
    expect(started).toEqual([0, 1]);
  });

  it("reject: rejects at the first failure without waiting for the calls in flight", async () => {
    let slowDone = false;
    const p = mapLimit(
      [0, 1],
      2,
      async (i) => {
        if (i === 0) throw new Error("at once");
        await sleep(50);
        slowDone = true;
      },
      { onFailure: "reject" },
    );
    await expect(p).rejects.toThrow("at once");
    expect(slowDone).toBe(false);
  });

  it("runs an empty list and treats a limit below one as one", async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
    expect(await mapLimit([1, 2], 0, async (x) => x)).toEqual([1, 2]);
  });
});

describe("SharedFlights", () => {
  it("gives callers of a running ask its promise, and asks again once it has settled", async () => {
    const flights = new SharedFlights<number>();
    let starts = 0;
    const slow = () => flights.run("a", async () => { starts++; await sleep(20); return starts; });
    expect(await Promise.all([slow(), slow(), slow()])).toEqual([1, 1, 1]);
    expect(await slow()).toBe(2);
    expect(await flights.run("b", async () => 99)).toBe(99);
    expect(starts).toBe(2);
  });

  it("shares a failure with the callers of that moment only", async () => {
    const flights = new SharedFlights<number>();
    let calls = 0;
    const failing = () => flights.run("k", async () => { calls++; await sleep(10); throw new Error(`boom ${calls}`); });
    const results = await Promise.allSettled([failing(), failing()]);
    expect(results.map((r) => (r as PromiseRejectedResult).reason.message)).toEqual(["boom 1", "boom 1"]);
    await expect(flights.run("k", () => { throw new Error("at once"); })).rejects.toThrow("at once");
    await expect(flights.run("k", async () => 7)).resolves.toBe(7);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { cronEvery, syncIntervalMinutes } from "./registry-sync";

describe("sync schedule", () => {
  const saved = process.env.REGATTA_SYNC_INTERVAL_MINUTES;
  afterEach(() => {
    if (saved === undefined) delete process.env.REGATTA_SYNC_INTERVAL_MINUTES;
    else process.env.REGATTA_SYNC_INTERVAL_MINUTES = saved;
  });

  it("reads REGATTA_SYNC_INTERVAL_MINUTES: 15 by default, 0 turns it off, nonsense falls back to 15", () => {
    delete process.env.REGATTA_SYNC_INTERVAL_MINUTES;
    expect(syncIntervalMinutes()).toBe(15);
    process.env.REGATTA_SYNC_INTERVAL_MINUTES = "0";
    expect(syncIntervalMinutes()).toBe(0);
    process.env.REGATTA_SYNC_INTERVAL_MINUTES = "5";
    expect(syncIntervalMinutes()).toBe(5);
    process.env.REGATTA_SYNC_INTERVAL_MINUTES = "soon";
    expect(syncIntervalMinutes()).toBe(15);
    process.env.REGATTA_SYNC_INTERVAL_MINUTES = "-3";
    expect(syncIntervalMinutes()).toBe(15);
  });

  it("turns minutes into a cron line", () => {
    expect(cronEvery(1)).toBe("*/1 * * * *");
    expect(cronEvery(15)).toBe("*/15 * * * *");
    expect(cronEvery(60)).toBe("0 */1 * * *");
    expect(cronEvery(180)).toBe("0 */3 * * *");
    expect(cronEvery(24 * 60)).toBe("0 0 * * *");
  });
});

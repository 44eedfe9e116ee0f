import { describe, expect, it } from "vitest";
import { exactTime, relativeTime } from "@/components/time";

const now = Date.parse("2026-12-02T12:00:00Z");

describe("relativeTime", () => {
  it.each([
    ["2026-12-02T11:59:40Z", "just now"],
    ["2026-12-02T11:57:00Z", "3 min ago"],
    ["2026-12-02T09:00:00Z", "3 h ago"],
    ["2026-11-28T12:00:00Z", "4 d ago"],
    ["2026-12-04T12:00:00Z", "in 2 d"],
    ["2026-01-05T12:00:00Z", "2026-01-05"],
    ["not a date", ""],
  ])("%s → %s", (iso, text) => expect(relativeTime(iso, now)).toBe(text));

  it("the exact time is UTC, the same everywhere", () => expect(exactTime("2026-12-02T11:54:53.123Z")).toBe("2026-12-02 11:54 UTC"));
});

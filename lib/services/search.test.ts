import { describe, expect, it } from "vitest";
import { digestPrefix } from "./search";

describe("digestPrefix", () => {
  it.each([
    ["sha256:" + "a".repeat(64), "sha256:" + "a".repeat(64)],
    ["A1B2C3", "sha256:a1b2c3"],
    ["sha256:abcdef", "sha256:abcdef"],
    ["  SHA256:abcdef12  ", "sha256:abcdef12"],
    ["abcde", null],
    ["sha256:abcde", null],
    ["abcdeg", null],
    ["1.4.2", null],
    ["a".repeat(65), null],
  ])("%s → %s", (q, want) => {
    expect(digestPrefix(q)).toBe(want);
  });
});

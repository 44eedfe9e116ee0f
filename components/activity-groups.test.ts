import { describe, expect, it } from "vitest";
import type { ActivityItem } from "@/lib/schemas/audit";
import { groupActivity } from "./activity-groups";

const base: ActivityItem = { id: "1", at: "2026-11-27T10:00:00.000Z", actor: "ana@example.com", action: "promote", registryId: "r1", repository: "bulk/many", tag: null, digest: "sha256:aa", previousDigest: null };
const at = (min: number) => new Date(Date.parse(base.at) - min * 60_000).toISOString();

describe("groupActivity", () => {
  it("folds a bulk promotion of one digest into one line with every tag, newest first", () => {
    const items = ["v3", "v2", "v1"].map((tag, i) => ({ ...base, tag, at: at(i) }));
    expect(groupActivity(items, 12)).toEqual([{ first: items[0], tags: ["v3", "v2", "v1"] }]);
  });

  it("keeps apart what differs in actor, action, repository, digest, or is far apart in time", () => {
    const items = [
      { ...base, tag: "a" },
      { ...base, tag: "b", actor: "bo@example.com" },
      { ...base, tag: "c", action: "retag" },
      { ...base, tag: "d", repository: "other" },
      { ...base, tag: "e", digest: "sha256:bb" },
      { ...base, tag: "f", digest: "sha256:bb", at: at(30) },
    ];
    expect(groupActivity(items, 12).map((g) => g.tags)).toEqual([["a"], ["b"], ["c"], ["d"], ["e"], ["f"]]);
  });

  it("stops at the number of lines asked for", () => {
    const items = Array.from({ length: 20 }, (_, i) => ({ ...base, tag: `t${i}`, repository: `r${i}` }));
    expect(groupActivity(items, 5)).toHaveLength(5);
  });
});

import { describe, expect, it } from "vitest";
import { hygieneWarnings } from "./tag-hygiene";
import { compareTagNames, filterProblem, filterTags, sortTags } from "./tag-sort";
import type { TagRow } from "@/lib/schemas/browse";

describe("tag order and filter", () => {
  it("sorts versions as versions", () => {
    expect(["1.10.0", "1.9.0", "v2.0.0", "1.0.0-rc.1", "1.0.0", "latest", "1.0.0-rc.10", "1.0.0-rc.2"].sort(compareTagNames))
      .toEqual(["1.0.0-rc.1", "1.0.0-rc.2", "1.0.0-rc.10", "1.0.0", "1.9.0", "1.10.0", "latest", "v2.0.0"]);
  });

  it("sorts by a column with unknown values last either way, ties by name", () => {
    const rows: TagRow[] = [{ name: "b", size: 5 }, { name: "a" }, { name: "c", size: 9 }, { name: "a2", size: 5 }];
    expect(sortTags(rows, { key: "size", dir: "desc" }).map((r) => r.name)).toEqual(["c", "a2", "b", "a"]);
    expect(sortTags(rows, { key: "size", dir: "asc" }).map((r) => r.name)).toEqual(["a2", "b", "c", "a"]);
  });

  it("filters by text, digest prefix or glob", () => {
    const rows: TagRow[] = [{ name: "v1.4.1", digest: "sha256:abc" }, { name: "v1.5.0" }, { name: "main-1.4" }];
    expect(filterTags(rows, "1.4").map((r) => r.name)).toEqual(["v1.4.1", "main-1.4"]);
    expect(filterTags(rows, "v1.4.*").map((r) => r.name)).toEqual(["v1.4.1"]);
    expect(filterTags(rows, "sha256:ab").map((r) => r.name)).toEqual(["v1.4.1"]);
  });

  it("filters with braces and classes through the one glob matcher, a bad glob matching nothing", () => {
    const rows: TagRow[] = ["tag-0001", "tag-0002", "tag-0003", "tag-0010", "V1"].map((name) => ({ name }));
    expect(filterTags(rows, "tag-000{1,2}").map((r) => r.name)).toEqual(["tag-0001", "tag-0002"]);
    expect(filterTags(rows, "tag-00[0-1][3-9]").map((r) => r.name)).toEqual(["tag-0003"]);
    expect(filterTags(rows, "v?").map((r) => r.name)).toEqual(["V1"]);
    expect(filterTags(rows, "tag-{1")).toEqual([]);
    expect(filterProblem("tag-{1")).toContain("no closing }");
    expect(filterProblem("tag-1")).toBeNull();
  });
});

describe("hygiene", () => {
  const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
  it("warns about a lone latest, a latest behind the highest version, and an oversized image", () => {
    expect(hygieneWarnings([{ name: "latest" }])[0]).toContain("Only “latest”");
    const w = hygieneWarnings([
      { name: "latest", digest: d(1), size: 100, kind: "image" },
      { name: "1.0.0", digest: d(1), size: 100, kind: "image" },
      { name: "1.1.0", digest: d(2), size: 110, kind: "image" },
      { name: "1.2.0", digest: d(3), size: 900, kind: "image" },
    ]);
    expect(w.some((x) => x.includes("not the highest version 1.2.0"))).toBe(true);
    expect(w.some((x) => x.startsWith("1.2.0:") && x.includes("twice the median"))).toBe(true);
    expect(hygieneWarnings([{ name: "latest", digest: d(1) }, { name: "1.0.0", digest: d(1) }])).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { hygieneWarnings } from "@/components/tag-hygiene";
import { byName, compareTagNames, filterProblem, filterTags as filterWith, sortTags, type SortKey } from "./tag-sort";
import { compileGlob } from "./glob-match";
import type { TagRow } from "@/lib/schemas/browse";

const filterTags = (rows: TagRow[], filter: string) => filterWith(rows, filter, compileGlob)!;

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

  it("sorts 10,000 rows by every column in the order of the collator's comparison, ties by name", () => {
    const names = ["latest", "1.10.0", "1.9.0", "1.0.0-rc.2", "1.0.0-rc.10", "V1", "main"];
    const rows: TagRow[] = Array.from({ length: 10_000 }, (_, i) => ({
      name: i < names.length ? names[i]! : `t${(i * 7919) % 10_007}`,
      ...(i % 5 ? { size: i % 13, digest: `sha256:${i % 3}`, kind: i % 2 ? "image" : "index", platforms: ["linux/amd64"], pushedAt: `2026-12-0${1 + (i % 3)}T00:00:00.000Z` } : {}),
    }));
    const named = byName(rows);
    expect(named.slice(0, 5).map((r) => r.name)).toEqual(["1.0.0-rc.2", "1.0.0-rc.10", "1.9.0", "1.10.0", "latest"]);
    for (const key of ["name", "digest", "kind", "platforms", "size", "createdAt", "pushedAt"] as SortKey[]) {
      for (const dir of ["asc", "desc"] as const) {
        const got = sortTags(rows, { key, dir }, named).map((r) => r.name);
        // the same rule spelled out: value order, unknown last, ties in name order
        const at = new Map(named.map((r, i) => [r.name, i]));
        const v = (r: TagRow) => (key === "pushedAt" ? (r.pushedAt ?? r.changedAt) : key === "platforms" ? r.platforms?.join(",") : key === "name" ? undefined : r[key]);
        const want = [...rows].sort((a, b) => {
          if (key === "name") return (dir === "asc" ? 1 : -1) * (at.get(a.name)! - at.get(b.name)!);
          const [x, y] = [v(a), v(b)];
          if (x === undefined || y === undefined) return x === y ? at.get(a.name)! - at.get(b.name)! : x === undefined ? 1 : -1;
          const c = x < y ? -1 : x > y ? 1 : 0;
          return c ? (dir === "asc" ? c : -c) : at.get(a.name)! - at.get(b.name)!;
        }).map((r) => r.name);
        expect(got, `${key} ${dir}`).toEqual(want);
      }
    }
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
    // the matcher not loaded yet: no answer for a glob (the table keeps its rows), text filters as ever
    expect(filterWith(rows, "tag-000{1,2}")).toBeUndefined();
    expect(filterWith(rows, "tag-{1")).toEqual([]);
    expect(filterWith(rows, "v?")).toBeUndefined();
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
